"""The benchmark site's task."""

from celery import shared_task


@shared_task
def ping() -> None:
    """Does nothing: what remains is the broker and worker round trip."""
