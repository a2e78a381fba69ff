"""manage.py dead_letters_replay ID... | --all: send the failed tasks again."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from {{ cookiecutter.project_slug }}.dead_letters.selectors import dead_letters_recent
from {{ cookiecutter.project_slug }}.dead_letters.services import dead_letters_replay


class Command(BaseCommand):
    help = "Send dead letters' tasks again (same name, arguments and queue); each one once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="ids from dead_letters_list")
        parser.add_argument("--all", action="store_true", help="every letter not replayed yet")

    def handle(self, *args: Any, **options: Any) -> None:
        ids: list[int] = options["ids"]
        if bool(ids) == options["all"]:
            raise CommandError("Name the dead letters to replay: their ids, or --all (not both).")
        if options["all"]:
            ids = list(dead_letters_recent(pending_only=True).values_list("pk", flat=True))
        replayed = dead_letters_replay(ids=ids)
        for letter in replayed:
            self.stdout.write(
                f"#{letter.pk} {letter.task_name} sent again as {letter.replay_task_id}"
            )
        skipped = sorted(set(ids) - {letter.pk for letter in replayed})
        if skipped:
            listed = ", ".join(f"#{pk}" for pk in skipped)
            self.stdout.write(f"Skipped (already replayed or no such id): {listed}")
        self.stdout.write(self.style.SUCCESS(f"{len(replayed)} dead letter(s) replayed."))
