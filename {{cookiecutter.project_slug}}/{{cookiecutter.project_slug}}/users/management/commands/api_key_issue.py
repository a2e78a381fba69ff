"""manage.py api_key_issue USERNAME --name NAME: issue an API key and print it, once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from {{ cookiecutter.project_slug }}.users.keys import api_key_issue
from {{ cookiecutter.project_slug }}.users.models import User


class Command(BaseCommand):
    help = "Issue an API key for a user; the key is printed once and never stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the user the key acts as")
        parser.add_argument("--name", required=True, help="what the key is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(
                f"No active user {options['username']!r}; create one with createsuperuser."
            )
        issued = api_key_issue(user=user, name=options["name"])
        self.stderr.write(
            f"Key {issued.api_key.prefix} for {user.username}; it is not shown again:"
        )
        self.stdout.write(issued.key)
