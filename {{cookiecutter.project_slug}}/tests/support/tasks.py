"""Tasks a test registers on the project's Celery app for as long as it needs them."""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import Task

from config.celery import app


@contextmanager
def registered_task(function: Callable[..., Any], **options: Any) -> Iterator[Task[Any, Any]]:
    """``function`` as a task of the project's app, under a name no other test uses.

    The app is finalized first so the task is registered now rather than when
    something next reads ``app.tasks``; a name reused with another callable
    makes Celery warn (an error under this suite's warning filter).
    """
    app.finalize(auto=True)
    name = f"tests.{function.__name__}.{uuid.uuid4().hex[:12]}"
    task = app.task(name=name, **options)(function)  # type: ignore[no-untyped-call]
    try:
        yield task
    finally:
        app.tasks.unregister(name)
