"""The cache's circuit breaker: after a Redis timeout or connection error, Redis rests a while.

Why: a Redis that accepts connections and never answers costs each cache
call its socket timeout (0.5 s, config/settings/cache.py), and a request
makes several calls (the namespace's version, the entry, the stampede
lock): every request waits seconds, and the service is down because its
cache is. With the breaker, the first timeout or connection error opens it,
and for ``CACHE_CIRCUIT_SECONDS`` no call of this process reaches Redis: each
raises ``CacheCircuitOpenError`` (a redis ``ConnectionError``) at once, which
django-redis's ``IGNORE_EXCEPTIONS`` turns into a miss for a read and a
skipped write, and which the stampede lock (stampede.py) takes as "no lock".
Then one call probes Redis; its answer closes the breaker (core/breakers.py).

Where: ``CircuitBreakingRedis`` is the Redis client django-redis makes
(``REDIS_CLIENT_CLASS`` in config/settings/cache.py), so every command of the
project passes it: cache reads and writes, locks, pipelines (``set_many``,
``delete_pattern``), the /health/ probe.

Why one breaker per process (per Redis server) is enough: each process
learns of an outage by paying one socket timeout, and then at most one probe
per cool-down, so an outage costs a bounded number of slow calls per
process, however many requests arrive. Sharing the state between processes
would need a shared store, and the shared store here is Redis itself, the
dependency that stopped answering; a breaker per thread or per request
would pay the timeout that many times instead.

The log: one line per change of state (``report``), not a traceback per call.
django-redis logs every ignored error with its traceback; ``ReportedByTheBreaker``
(config/settings/logging.py) drops those the breaker already reported, and keeps
the others (an error reply such as a full memory or a read-only replica).
"""

from __future__ import annotations

import logging
from typing import Any

from redis import Redis
from redis.client import Pipeline
from redis.connection import ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from {{ cookiecutter.project_slug }}.core.breakers import (
    CircuitBreaker,
    Reporter,
    breaker_for,
)

logger = logging.getLogger(__name__)

# What opens the breaker: Redis did not answer. An error reply (ResponseError) is an answer.
FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)
# Seconds of the cool-down when the settings give none (CACHE_CIRCUIT_SECONDS).
DEFAULT_SECONDS = 5.0


class CacheCircuitOpenError(RedisConnectionError):
    """Redis is not called: it failed within the cool-down (a miss, a skipped write)."""


report = Reporter(logger, peer="Redis at {target}", while_open="reads miss and writes are skipped")


def server_of(pool: ConnectionPool) -> str:
    """The Redis server a pool connects to, without credentials: ``host:port`` or a socket path."""
    kwargs = pool.connection_kwargs
    if "path" in kwargs:
        return str(kwargs["path"])
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"


def cache_breaker(server: str, seconds: float = DEFAULT_SECONDS) -> CircuitBreaker:
    """This process's breaker of a Redis server; the cool-down the latest settings give."""
    breaker = breaker_for(
        "cache",
        server,
        lambda: CircuitBreaker(
            "cache", server, seconds=seconds, error=CacheCircuitOpenError, report=report
        ),
    )
    breaker.seconds = seconds
    return breaker


def call_guarded(breaker: CircuitBreaker, call: Any, *args: Any, **kwargs: Any) -> Any:
    """``call`` unless the breaker is open; its outcome counted. Closed, one comparison more."""
    probe = breaker.admit()
    try:
        result = call(*args, **kwargs)
    except FAILURES as error:
        breaker.failed(error, probe)
        raise
    except BaseException:
        breaker.succeeded(probe)  # an error reply: Redis answered
        raise
    breaker.succeeded(probe)
    return result


class CircuitBreakingRedis(Redis):
    """redis-py's client with every command behind this process's breaker of its server.

    ``circuit_seconds`` comes from django-redis's ``REDIS_CLIENT_KWARGS``.
    """

    def __init__(self, *args: Any, circuit_seconds: float = DEFAULT_SECONDS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.breaker = cache_breaker(server_of(self.connection_pool), circuit_seconds)

    def execute_command(self, *args: Any, **options: Any) -> Any:
        return call_guarded(self.breaker, super().execute_command, *args, **options)

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Pipeline:
        pipeline = CircuitBreakingPipeline(
            self.connection_pool, self.response_callbacks, transaction, shard_hint
        )
        pipeline.breaker = self.breaker
        return pipeline


class CircuitBreakingPipeline(Pipeline):
    """A pipeline whose round trips pass the same breaker (set_many, delete_pattern)."""

    breaker: CircuitBreaker

    def execute(self, raise_on_error: bool = True) -> list[Any]:
        result: list[Any] = call_guarded(self.breaker, super().execute, raise_on_error)
        return result

    def immediate_execute_command(self, *args: Any, **options: Any) -> Any:
        return call_guarded(self.breaker, super().immediate_execute_command, *args, **options)


class ReportedByTheBreaker(logging.Filter):
    """Drops django-redis's "Exception ignored" traceback when the breaker reports the cause.

    A timeout or connection error opens the breaker, whose one line says so;
    a call refused while it is open is the breaker's own doing. Anything else
    (an error reply) keeps its traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        cause = error.__cause__ if error is not None else None
        return not isinstance(cause, FAILURES)
