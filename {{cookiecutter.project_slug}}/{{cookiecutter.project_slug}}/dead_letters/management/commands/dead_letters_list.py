"""manage.py dead_letters_list [--pending] [--limit N]: the tasks that failed for good."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from {{ cookiecutter.project_slug }}.dead_letters.selectors import dead_letters_recent

ERROR_WIDTH = 60


class Command(BaseCommand):
    help = "List dead letters, newest first: id, task, error, when it failed, when replayed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pending", action="store_true", help="only those not replayed")
        parser.add_argument("--limit", type=int, default=50, help="at most this many (50)")

    def handle(self, *args: Any, **options: Any) -> None:
        letters = list(dead_letters_recent(pending_only=options["pending"])[: options["limit"]])
        if not letters:
            self.stdout.write("No dead letters.")
            return
        rows = [("ID", "TASK", "ERROR", "FAILED", "REPLAYED")] + [
            (
                str(letter.pk),
                letter.task_name,
                _shorten(f"{letter.exception_type}: {letter.exception_message}"),
                f"{letter.failed_at:%Y-%m-%d %H:%M:%S}",
                f"{letter.replayed_at:%Y-%m-%d %H:%M:%S}" if letter.replayed_at else "-",
            )
            for letter in letters
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())


def _shorten(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= ERROR_WIDTH else line[: ERROR_WIDTH - 3] + "..."
