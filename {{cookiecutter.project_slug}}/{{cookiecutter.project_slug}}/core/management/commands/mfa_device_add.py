"""manage.py mfa_device_add USERNAME [--name NAME]: a TOTP device for a staff user (core/access/mfa.py)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from {{ cookiecutter.project_slug }}.core.access.mfa import mfa_device_add


class Command(BaseCommand):
    help = (
        "Add a TOTP device to a staff user and print its QR code and otpauth:// URL "
        "once: scan it with an authenticator app, then log in to the admin with a code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the staff user the device belongs to")
        parser.add_argument("--name", default="authenticator", help="what the device is")

    def handle(self, *args: Any, **options: Any) -> None:
        user: Any = (
            get_user_model()
            ._default_manager.filter(**{get_user_model().USERNAME_FIELD: options["username"]})
            .first()
        )
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        if not user.is_staff:
            raise CommandError(
                f"{options['username']!r} is not staff: the admin would refuse it anyway."
            )
        enrolment = mfa_device_add(user=user, name=options["name"])
        self.stderr.write(
            f"TOTP device {enrolment.device.name!r} added for {options['username']}. Scan the code "
            "(or enter the URL) in an authenticator app; it is not shown again:"
        )
        self.stdout.write(enrolment.qr_code)
        self.stdout.write(enrolment.url)
