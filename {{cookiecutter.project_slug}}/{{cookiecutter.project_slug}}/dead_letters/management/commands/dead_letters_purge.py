"""manage.py dead_letters_purge ID... | --older-than DAYS | --all: delete, asking nothing."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from {{ cookiecutter.project_slug }}.dead_letters.services import dead_letters_purge


class Command(BaseCommand):
    help = "Delete dead letters by id, older than DAYS days, or all of them; prints how many."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="ids from dead_letters_list")
        parser.add_argument("--older-than", type=int, metavar="DAYS", help="failed before DAYS ago")
        parser.add_argument("--all", action="store_true", help="every dead letter")

    def handle(self, *args: Any, **options: Any) -> None:
        ids, days, everything = options["ids"], options["older_than"], options["all"]
        if sum([bool(ids), days is not None, everything]) != 1:
            raise CommandError(
                "Name the dead letters to purge: their ids, --older-than DAYS or --all (one of them)."
            )
        if days is not None and days < 0:
            raise CommandError(f"--older-than takes a number of days, 0 or more; got {days}.")
        deleted = dead_letters_purge(
            ids=ids,
            older_than=timedelta(days=days) if days is not None else None,
            everything=everything,
        )
        self.stdout.write(self.style.SUCCESS(f"{deleted} dead letter(s) purged."))
