"""Where the reads of the running request or task may go: its state, in a context variable.

Writes, ``select_for_update``, every read inside a transaction on the primary
(it must see the transaction's own writes), every read after a write in the
same request, migrations, the admin, Celery tasks, commands and shells use the
primary. The other reads of a request go to a replica that is fresh enough
(replica_health.py): not lagging past DATABASE_REPLICA_MAX_LAG and, for a
client that wrote recently, one that has replayed that write
(read_your_writes.py); with none, the primary.

Why a context variable, not a thread-local: an async view's queries run in
threads shared by every request of the event loop, so a thread-local pin of one
request would route (or fail to route) another's. The state of a request is one
``Reads`` object set by the middleware; the threads sync_to_async hands work to
see the same object, so a write anywhere in the request pins the rest of it.
Outside a request (a task, a command) there is no state, and reads use the
primary; ``replica_reads()`` opts a block of code into replicas.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS

PRIMARY = DEFAULT_DB_ALIAS


@dataclass
class Reads:
    """How the reads of one request (or opted-in block) may be served."""

    replicas_allowed: bool = True
    # The client's last write, a WAL position: a replica must have replayed it.
    after_position: int | None = None
    # Something was written: the rest of the request reads from the primary.
    wrote: bool = False
    # The replica this request reads from, kept so that its reads agree with each other.
    replica: str | None = None


_reads: ContextVar[Reads | None] = ContextVar("database_reads", default=None)


def current() -> Reads | None:
    return _reads.get()


@contextmanager
def reading(reads: Reads) -> Iterator[Reads]:
    """Route the reads of what runs in this context (and the threads it hands work to) by ``reads``."""
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)


def replica_reads() -> Any:
    """Let a task or a command read from replicas: data it may see slightly late.

    A task enqueued on commit reads from the primary by default, which has that
    commit; a report or an export that tolerates DATABASE_REPLICA_MAX_LAG opts in::

        with replica_reads():
            rows = list(Order.objects.filter(...))
    """
    return reading(Reads())
