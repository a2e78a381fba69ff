"""Infrastructure tasks, independent of any app."""

from celery import shared_task


@shared_task
def ping() -> None:
    """Does nothing: measures the broker and worker round trip (benchmarks, smoke checks)."""
