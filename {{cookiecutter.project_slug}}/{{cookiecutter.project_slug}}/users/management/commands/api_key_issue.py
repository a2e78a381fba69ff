"""manage.py api_key_issue USERNAME --name NAME [--create]: issue an API key and print it, once."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from {{ cookiecutter.project_slug }}.users.keys import api_client_create, api_key_issue
from {{ cookiecutter.project_slug }}.users.models import User


class Command(BaseCommand):
    help = "Issue an API key for a user; the key is printed once and never stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the user the key acts as")
        parser.add_argument("--name", required=True, help="what the key is for")
        parser.add_argument(
            "--create",
            action="store_true",
            help="create USERNAME first when missing, as an API client: no admin access, "
            "no password",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None and options["create"]:
            try:
                user = api_client_create(username=username)
            except ValidationError as error:
                raise CommandError(
                    f"Cannot create user {username!r}: {error.messages[0]}"
                ) from None
            self.stderr.write(
                f"Created the API client user {username} (no admin access, no password)."
            )
        if user is None:
            raise CommandError(
                f"No user {username!r}. Add --create to make it an API client user "
                "(no admin access, no password), or pick an existing user."
            )
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive: its keys would be refused.")
        issued = api_key_issue(user=user, name=options["name"])
        self.stderr.write(
            f"Key {issued.api_key.prefix} for {user.username}; it is not shown again:"
        )
        self.stdout.write(issued.key)
