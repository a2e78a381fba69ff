"""The test process's own queue on the real broker: read what was enqueued, clean up.

Each test process has a queue of its own (CELERY_TASK_DEFAULT_QUEUE in
config/settings/test.py), so parallel runs on a shared broker never see each
other's messages; it is deleted when the session ends.
"""

from typing import Any

from django.conf import settings
from kombu import Queue
from kombu.message import Message

from config.celery import app as celery_app


def task_queue(name: str | None = None) -> Queue:
    """Celery's declaration of a queue (the default one unless named): same exchange and arguments."""
    return Queue(
        name or settings.CELERY_TASK_DEFAULT_QUEUE,
        exchange=celery_app.amqp.queues[settings.CELERY_TASK_DEFAULT_QUEUE].exchange,
        routing_key=name or settings.CELERY_TASK_DEFAULT_QUEUE,
    )


def queue_declare(name: str | None = None) -> None:
    """Create the queue the way Celery would, so it can be read before anything is sent."""
    with celery_app.connection_for_write() as connection:
        task_queue(name).bind(connection.default_channel).declare()


def queue_delete(name: str | None = None) -> None:
    """Delete the queue, its bindings and its exchange, leaving nothing on the shared broker."""
    with celery_app.connection_for_write() as connection:
        queue = task_queue(name).bind(connection.default_channel)
        # Declared here first: a channel deletes only the bindings it knows about.
        queue.declare()
        queue.delete()
        queue.exchange.delete()


def queue_take_raw(name: str | None = None, *, limit: int = 1000) -> list[Message]:
    """Remove and return every message waiting in the queue, as a worker receives it."""
    taken: list[Message] = []
    with celery_app.connection_for_write() as connection:
        queue = task_queue(name).bind(connection.default_channel)
        for _ in range(limit):
            message = queue.get(no_ack=True)
            if message is None:
                break
            taken.append(message)
    return taken


def queue_take_messages(
    name: str | None = None, *, limit: int = 1000
) -> list[tuple[dict[str, Any], list[Any]]]:
    """Remove and return (headers, args) of every message waiting in the queue."""
    taken: list[tuple[dict[str, Any], list[Any]]] = []
    for message in queue_take_raw(name, limit=limit):
        args, _kwargs, _embed = message.decode()
        taken.append((dict(message.headers), args))
    return taken


def queue_take_all(name: str | None = None, *, limit: int = 1000) -> list[tuple[str, list[Any]]]:
    """Remove and return (task name, args) of every message waiting in the queue."""
    return [(headers["task"], args) for headers, args in queue_take_messages(name, limit=limit)]
