"""Every Celery task measured and told, like a request: one log line, its metrics, its id.

Why through Celery's signals: every task gets it, including those of
libraries, and no task has to remember a decorator. Per task:

- the request id of the request that enqueued it (a message header set at
  publish), or a new one for a task nobody's request sent (beat, a shell);
- one log line (JSON in production): task name, request id, duration,
  retries so far, outcome, queries and database time; for a run that ends in
  a retry, which retry of how many, the wait before it and the error's class
  (``retry 3/10 in 1.6 s after ConnectionRefusedError``);
- ``celery_tasks_total`` by name and outcome and the duration histogram
  (core/telemetry/metrics.py); the queue depth is read at each scrape of the worker's
  metrics port (``QueueDepthCollector``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from contextvars import Token
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from amqp.exceptions import ChannelError
from celery import Celery, signals
from celery.exceptions import Retry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from {{ cookiecutter.project_slug }}.core.telemetry import measurement, metrics, request_id

logger = logging.getLogger(__name__)

# The Celery message header that carries the enqueuing request's id into the task.
MESSAGE_HEADER = "request_id"


@dataclass
class _Running:
    started: float
    measured: Token[measurement.Measurement | None]
    request: Token[str]


# Tasks running in this process, by task id (a prefork process runs one at a time).
_running: dict[str, _Running] = {}


@signals.before_task_publish.connect
def _send_request_id(headers: dict[str, Any], **kwargs: Any) -> None:
    current = request_id.current()
    if current:
        headers.setdefault(MESSAGE_HEADER, current)


@signals.task_prerun.connect
def _task_started(task_id: str, task: Any, **kwargs: Any) -> None:
    sent = getattr(task.request, MESSAGE_HEADER, None)
    _running[task_id] = _Running(
        started=time.perf_counter(),
        measured=measurement.start(),
        request=request_id.bind(request_id.request_id_for(sent or request_id.current())),
    )


@signals.task_postrun.connect
def _task_finished(
    task_id: str, task: Any, state: str | None = None, retval: Any = None, **kwargs: Any
) -> None:
    running = _running.pop(task_id, None)
    if running is None:
        return
    seconds = time.perf_counter() - running.started
    measured = measurement.current() or measurement.Measurement()
    outcome = (state or "unknown").lower()
    retries = int(getattr(task.request, "retries", 0) or 0)
    fields: dict[str, Any] = {
        "event": "task",
        "task": task.name,
        "task_id": task_id,
        "request_id": request_id.current(),
        "outcome": outcome,
        "retries": retries,
        "duration_ms": round(seconds * 1000, 2),
        "queries": measured.queries,
        "db_ms": round(measured.db_seconds * 1000, 2),
    }
    try:
        if isinstance(retval, Retry):
            text, retry_fields = _retry(retval, attempt=retries + 1, of=task.max_retries)
            logger.info("task %s %s", task.name, text, extra={**fields, **retry_fields})
        else:
            logger.info(
                "task %s %s in %.1f ms (retries %d): %d queries (%.1f ms)",
                task.name,
                outcome,
                seconds * 1000,
                retries,
                measured.queries,
                measured.db_seconds * 1000,
                extra=fields,
            )
        metrics.task_observed(task=task.name, outcome=outcome, seconds=seconds)
    finally:
        request_id.unbind(running.request)
        measurement.stop(running.measured)


def _retry(retry: Retry, *, attempt: int, of: int | None) -> tuple[str, dict[str, Any]]:
    """``retry 3/10 in 1.6 s after ConnectionRefusedError``, and the same as log fields.

    A retried run's duration tells a developer nothing; which retry, the wait
    before the next attempt and the error say why nothing happened yet, and when it will.
    """
    text = f"retry {attempt}" + (f"/{of}" if of is not None else "")
    delay = None
    if isinstance(retry.when, datetime):  # an ETA
        text += f" at {retry.when.isoformat()}"
    elif retry.when is not None:  # a countdown
        delay = float(retry.when)
        text += f" in {delay:.1f} s"
    error = type(retry.exc).__name__ if retry.exc is not None else None
    if error is not None:
        text += f" after {error}"
    return text, {"retry": attempt, "max_retries": of, "retry_in_s": delay, "error": error}


class QueueDepthCollector(Collector):
    """Messages waiting in each queue, asked of the broker at each scrape.

    A growing queue is the first sign that workers are too few or a task too
    slow; the broker is the only one who knows. A broker that does not answer
    makes ``celery_broker_up`` 0 rather than failing the scrape. A queue the
    broker does not know holds nothing: Redis deletes a list when it empties,
    so there an empty queue answers "not found" at every quiet moment.
    """

    def __init__(self, app: Celery, queues: Iterable[str]) -> None:
        self.app = app
        self.queues = list(queues)

    def collect(self) -> Iterable[Any]:
        depth = GaugeMetricFamily(
            "celery_queue_messages", "Messages waiting in the queue.", labels=["queue"]
        )
        up = 1
        try:
            with self.app.connection_for_read() as connection:
                # No retry: a scrape while the broker is down answers at once, broker_up 0.
                connection.ensure_connection(max_retries=0, timeout=2)
                for queue in self.queues:
                    depth.add_metric([queue], self.messages_waiting(connection, queue))
        except Exception as error:  # noqa: BLE001 (any broker failure: report it, keep the scrape)
            logger.warning("queue depth unavailable: %r", error)
            up = 0
        yield depth
        yield GaugeMetricFamily("celery_broker_up", "Whether the broker answered.", value=up)

    @staticmethod
    def messages_waiting(connection: Any, queue: str) -> int:
        # A channel per queue: RabbitMQ closes the channel a "not found" was answered on.
        with connection.channel() as channel:
            try:
                return int(channel.queue_declare(queue=queue, passive=True).message_count)
            except ChannelError as error:
                # AMQP's "not found": a number from RabbitMQ, a string from kombu's Redis.
                if str(error.reply_code) == "404":
                    return 0
                raise
