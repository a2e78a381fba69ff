"""manage.py api_key_revoke PREFIX: revoke an API key at once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from {{ cookiecutter.project_slug }}.users.keys import api_key_revoke


class Command(BaseCommand):
    help = "Revoke the API key with this prefix (the part before the dot)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        if not api_key_revoke(prefix=options["prefix"]):
            raise CommandError(f"No live key with prefix {options['prefix']!r}.")
        self.stdout.write(self.style.SUCCESS(f"Key {options['prefix']} revoked."))
