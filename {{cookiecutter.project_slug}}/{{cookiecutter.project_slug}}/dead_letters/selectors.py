"""Dead letters read: the newest first, optionally only those not replayed yet."""

from django.db.models import QuerySet

from {{ cookiecutter.project_slug }}.dead_letters.models import DeadLetter


def dead_letters_recent(*, pending_only: bool = False) -> QuerySet[DeadLetter]:
    letters = DeadLetter.objects.order_by("-failed_at", "-id")
    return letters.filter(replayed_at__isnull=True) if pending_only else letters
