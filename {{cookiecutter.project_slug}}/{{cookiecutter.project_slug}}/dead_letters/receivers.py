"""What counts as dead: Celery's ``task_failure``, the task's last word.

Why this signal and nothing else: Celery sends it once per task that failed
and will not run again: an exception the task does not retry, the original
exception once ``autoretry_for`` (or ``self.retry``) ran out of retries, a
hard time limit, a lost pool process whose message is not re-queued. A retry
is not a failure (it raises ``Retry`` and sends ``task_retry``), nor is a
message re-queued after a lost pool process: both run again. A task that
raises ``Reject`` itself sends no ``task_failure`` (Celery only logs it): it
chose to drop the message, so it is not kept here. apps.py connects it.
"""

from __future__ import annotations

import traceback as tracebacks
from types import TracebackType
from typing import Any

from {{ cookiecutter.project_slug }}.dead_letters.services import (
    dead_letter_record,
    routed_queue,
)


def task_failed(
    sender: Any,
    *,
    task_id: str,
    exception: BaseException,
    args: Any = (),
    kwargs: Any = None,
    traceback: TracebackType | None = None,
    einfo: Any = None,
    **_: Any,
) -> None:
    request = sender.request
    delivery = getattr(request, "delivery_info", None) or {}
    # A failure seen by the worker's main process (hard time limit) has no request
    # of the task: its queue is then the one the router sends the task to.
    queue = delivery.get("routing_key") or routed_queue(sender)
    dead_letter_record(
        task_name=sender.name,
        task_id=task_id,
        args=list(args or ()),
        kwargs=dict(kwargs or {}),
        exception=exception,
        traceback=einfo.traceback
        if einfo is not None
        else "".join(tracebacks.format_exception(type(exception), exception, traceback)),
        retries=int(getattr(request, "retries", 0) or 0),
        queue=queue,
    )
