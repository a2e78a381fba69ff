"""What the request (or task) running now has cost: queries, database time, cache lookups.

Why a context variable and not the connection's execute_wrapper context
manager: an async view runs its queries in other threads (sync_to_async),
each with its own connection object, and a wrapper entered on the request's
thread would miss them. Here one recorder is installed on every connection
when it opens, and it adds each query to the measurement of the context it
runs in; asgiref copies the context into those threads, so sync and async
views are measured alike, without forcing either through an adapter.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.dispatch import receiver

# Statements kept for an over-budget error message; later ones are only counted.
KEPT_STATEMENTS = 100


@dataclass
class Measurement:
    """Counters of one request or task; safe to update from several threads.

    ``budget`` is the most queries it may run (core/telemetry/query_budget.py); with
    ``raise_over_budget`` the statements are kept for the error message.
    """

    budget: int | None = None
    raise_over_budget: bool = False
    queries: int = 0
    db_seconds: float = 0.0
    cache_hits: int = 0
    cache_misses: int = 0
    statements: list[str] = field(default_factory=list)
    # Queries per database alias: where reads went when there are replicas.
    by_alias: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_query(self, sql: str, seconds: float, alias: str = "default") -> None:
        with self._lock:
            self.queries += 1
            self.by_alias[alias] = self.by_alias.get(alias, 0) + 1
            self.db_seconds += seconds
            if self.raise_over_budget and len(self.statements) < KEPT_STATEMENTS:
                self.statements.append(sql)

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.queries > self.budget

    def add_cache_lookup(self, *, hit: bool) -> None:
        with self._lock:
            if hit:
                self.cache_hits += 1
            else:
                self.cache_misses += 1


_current: ContextVar[Measurement | None] = ContextVar("measurement", default=None)


def current() -> Measurement | None:
    """The measurement of the request or task running now, if one is measured."""
    return _current.get()


def start(
    *, budget: int | None = None, raise_over_budget: bool = False
) -> Token[Measurement | None]:
    """Measure what runs from now on in this context; ``stop`` takes the token."""
    return _current.set(Measurement(budget=budget, raise_over_budget=raise_over_budget))


def begin(measured: Measurement) -> Token[Measurement | None]:
    """Measure what runs from now on in this context into ``measured``; ``stop`` takes the token."""
    return _current.set(measured)


def stop(token: Token[Measurement | None]) -> None:
    _current.reset(token)


@contextmanager
def measuring(
    *, budget: int | None = None, raise_over_budget: bool = False
) -> Iterator[Measurement]:
    """Measure everything run in this context (and the threads it hands work to)."""
    token = start(budget=budget, raise_over_budget=raise_over_budget)
    try:
        yield cast("Measurement", _current.get())
    finally:
        stop(token)


@contextmanager
def unmeasured() -> Iterator[None]:
    """Queries the service runs for itself (a replica's lag, the primary's WAL
    position): neither the request's cost nor counted against its query budget."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


def record_query(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """A database execute wrapper: adds each query to the current measurement."""
    measurement = _current.get()
    if measurement is None:
        return execute(sql, params, many, context)
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        measurement.add_query(sql, time.perf_counter() - started, context["connection"].alias)


@receiver(connection_created)
def _install_recorder(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    # Sent at every (re)connect of a wrapper, which keeps its wrappers: add it once.
    if record_query not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, record_query)
