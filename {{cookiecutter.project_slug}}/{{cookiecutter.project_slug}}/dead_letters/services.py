"""Dead letters written: recorded at a task's final failure or a send the broker refused,
replayed, purged.

Why the record never raises: it runs inside the worker's failure handling,
where an exception would only hide the task's own. When the database is down
too (often the very reason the task failed) the same fields go to an ERROR
log line and the metric counts it as stored in the log, so nothing is lost
silently.
"""

from __future__ import annotations

import json
import logging
import traceback as tracebacks
import uuid
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from typing import Any

from celery import Task
from django.db import DatabaseError, transaction
from django.utils import timezone

from {{ cookiecutter.project_slug }}.core.telemetry import metrics
from {{ cookiecutter.project_slug }}.dead_letters.models import DeadLetter

from config.celery import app

logger = logging.getLogger(__name__)

# A traceback's end names the failing line; its start is the worker's own frames.
TRACEBACK_CHARS = 10_000
MESSAGE_CHARS = 2_000


def _json(value: Any) -> Any:
    """What a JSON column can hold: the broker's JSON passes as it is, anything else as repr."""
    return json.loads(json.dumps(value, default=repr))


def _type_name(exception: BaseException) -> str:
    kind = type(exception)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


def dead_letter_record(
    *,
    task_name: str,
    task_id: str,
    args: list[Any],
    kwargs: dict[str, Any],
    exception: BaseException,
    traceback: str,
    retries: int,
    queue: str,
) -> DeadLetter | None:
    """Store the failed task (once per task id); None when the database refused it."""
    fields: dict[str, Any] = {
        "task_name": task_name,
        "args": _json(args),
        "kwargs": _json(kwargs),
        "exception_type": _type_name(exception),
        "exception_message": str(exception)[:MESSAGE_CHARS],
        "traceback": traceback[-TRACEBACK_CHARS:],
        "retries": retries,
        "queue": queue,
    }
    try:
        letter, created = DeadLetter.objects.get_or_create(task_id=task_id, defaults=fields)
    except DatabaseError as error:
        logger.error(  # noqa: TRY400 (the task's traceback is in the line; the database's is not needed)
            "dead letter NOT stored (database: %s): task %s[%s] failed with %s: %s",
            error,
            task_name,
            task_id,
            fields["exception_type"],
            fields["exception_message"],
            # LogRecord has its own args: the task's go under other names.
            extra={
                "event": "dead_letter_lost",
                "task_id": task_id,
                **{key: value for key, value in fields.items() if key not in {"args", "kwargs"}},
                "task_args": fields["args"],
                "task_kwargs": fields["kwargs"],
            },
        )
        metrics.task_dead_lettered(task=task_name, stored=False)
        return None
    if created:
        logger.warning(
            "task %s[%s] dead-lettered as #%d: %s: %s",
            task_name,
            task_id,
            letter.pk,
            fields["exception_type"],
            fields["exception_message"],
            extra={"event": "dead_letter", "dead_letter": letter.pk, "task_id": task_id},
        )
        metrics.task_dead_lettered(task=task_name, stored=True)
    return letter


def routed_queue(task: Task[Any, Any]) -> str:
    """The queue Celery's router sends ``task`` to (where a replay sends it again)."""
    return str(task.app.amqp.router.route({}, task.name)["queue"].name)


def send_on_commit(task: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Send ``task`` once the current transaction commits; a send the broker refuses is a
    dead letter, replayed like any other (``dead_letters_replay``).

    Why not ``transaction.on_commit(task.delay)``: after the commit the write stands
    whatever the broker answers. Raised from the commit hook, a refusal answered the
    client 500 for a write that was made (a retry makes it twice) and lost the task.
    """
    transaction.on_commit(partial(_send_or_record, task, list(args), dict(kwargs)))


def _send_or_record(task: Task[Any, Any], args: list[Any], kwargs: dict[str, Any]) -> None:
    task_id = uuid.uuid4().hex
    try:
        task.apply_async(args=tuple(args), kwargs=kwargs, task_id=task_id)
    except Exception as error:  # noqa: BLE001 (whatever the broker's failure, keep the task)
        dead_letter_record(
            task_name=task.name,
            task_id=task_id,
            args=args,
            kwargs=kwargs,
            exception=error,
            traceback=tracebacks.format_exc(),
            retries=0,
            queue=routed_queue(task),
        )


@transaction.atomic
def dead_letters_replay(*, ids: Iterable[int]) -> list[DeadLetter]:
    """Send each pending letter's task again, to its queue, once the marks are committed.

    Idempotent: a letter already replayed is skipped (rows locked, so two
    operators replaying at once send one copy). A replay that fails again
    comes back as a new letter (a new task id). A send the broker refuses
    clears the mark again, so the letter stays pending for the next replay.
    """
    letters = list(
        DeadLetter.objects.select_for_update()
        .filter(pk__in=list(ids), replayed_at__isnull=True)
        .order_by("pk")
    )
    now = timezone.now()
    for letter in letters:
        letter.replayed_at, letter.replay_task_id = now, uuid.uuid4().hex
        letter.save(update_fields=["replayed_at", "replay_task_id"])
        transaction.on_commit(partial(_send_again, letter))
    return letters


def _send_again(letter: DeadLetter) -> None:
    """Send the letter's task; when the broker refuses, the letter is pending again."""
    try:
        app.send_task(
            letter.task_name,
            args=letter.args,
            kwargs=letter.kwargs,
            queue=letter.queue,
            task_id=letter.replay_task_id,
        )
    except Exception:
        DeadLetter.objects.filter(pk=letter.pk, replay_task_id=letter.replay_task_id).update(
            replayed_at=None, replay_task_id=""
        )
        raise


def dead_letters_purge(
    *, ids: Iterable[int] = (), older_than: timedelta | None = None, everything: bool = False
) -> int:
    """Delete the letters named (by id, by age or all); returns how many went."""
    letters = DeadLetter.objects.all()
    if not everything:
        ids = list(ids)
        if not ids and older_than is None:
            raise ValueError("name the dead letters to purge: ids, older_than, or everything")
        if ids:
            letters = letters.filter(pk__in=ids)
        if older_than is not None:
            letters = letters.filter(failed_at__lt=timezone.now() - older_than)
    deleted, _ = letters.delete()
    return deleted
