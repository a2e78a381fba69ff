"""Cache keys and a stampede-safe get-or-compute over the shared Redis cache.

Why one module: hand-formatted key strings drift apart between the code that
writes an entry and the code that must invalidate it. Every key is built here,
inside a ``Namespace`` whose version counter lives in Redis: bumping it makes
every entry of the namespace unreachable at once (one write invalidates a whole
list), and the old entries simply expire.

Why not ``cache.get_or_set``: on a cold or expired key every concurrent request
recomputes (a stampede). ``get_or_compute`` lets one caller recompute under a
lock while the others wait and re-read, spreads expiries with jitter, and keeps
serving, by computing directly, when Redis is down (the lock raises then, even
though get and set are configured to ignore the outage).
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from redis.exceptions import LockError, RedisError
from redis.lock import Lock

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Spread expiries over +/- 10 % so entries written together do not expire together.
JITTER = 0.1
# How long a recompute may hold the lock, and how long the others wait for it.
LOCK_SECONDS = 10.0
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.01

_MISSING = object()


@dataclass(frozen=True)
class Namespace:
    """A family of keys that one call to ``invalidate`` drops together.

    Use one namespace per collection (``Namespace("shop.products")``) and one per
    object when single objects are cached (``Namespace.for_object("shop.product", pk)``).
    """

    name: str

    @classmethod
    def for_object(cls, name: str, pk: object) -> Namespace:
        return cls(f"{name}:{pk}")

    @property
    def _counter_key(self) -> str:
        return f"ns:{self.name}"

    def version(self) -> int:
        """The namespace's current version (one cache read; created on first use).

        A new counter starts from the clock, not 1, so a counter that was evicted
        never brings back entries written under its old numbers. With Redis down
        the version is 0 and every read is a miss.
        """
        version = cache.get(self._counter_key)
        if version is None:
            cache.add(self._counter_key, time.time_ns(), timeout=None)
            version = cache.get(self._counter_key, 0)
        return int(version)

    def key(self, *parts: object) -> str:
        """The cache key of one entry of this namespace, e.g. ``key("list", page)``."""
        suffix = ":".join(str(part) for part in parts)
        return f"{self.name}:v{self.version()}:{suffix}"

    def invalidate(self) -> None:
        """Make every entry of the namespace unreachable (bump the version)."""
        # No counter (ValueError): the next reader starts a fresh one, so nothing old is reachable.
        with contextlib.suppress(ValueError):
            cache.incr(self._counter_key)

    def invalidate_on_commit(self, using: str = DEFAULT_DB_ALIAS) -> None:
        """Invalidate once the current transaction commits (at once outside one).

        Before commit, another request could recompute the entry from the old
        rows and cache them again; on rollback nothing changed.
        """
        transaction.on_commit(self.invalidate, using=using)


def jittered(timeout: float) -> int:
    """The timeout spread by +/- JITTER, at least one second."""
    return max(1, round(timeout * random.uniform(1 - JITTER, 1 + JITTER)))  # noqa: S311


def _lock(key: str) -> Lock:
    """A Redis lock under the cache's prefix (django-redis adds lock() to the cache API)."""
    redis_cache: Any = cache
    lock: Lock = redis_cache.lock(
        key, timeout=LOCK_SECONDS, sleep=POLL_SECONDS, blocking_timeout=WAIT_SECONDS
    )
    return lock


def get_or_compute(key: str, compute: Callable[[], T], *, timeout: float) -> T:
    """The cached value of ``key``, computed once across processes on a miss.

    One caller takes the lock, re-reads (another may have just written the
    value), computes and stores it with a jittered timeout; the others wait for
    the lock and find the value on their re-read. When Redis is unreachable, or
    the holder takes longer than WAIT_SECONDS, the caller computes directly:
    slower, but it answers.
    """
    value = cache.get(key, _MISSING)
    if value is not _MISSING:
        return cast("T", value)
    lock = _lock(f"lock:{key}")
    try:
        acquired = lock.acquire()
    except RedisError:
        logger.warning("cache lock unavailable for %s; computing without it", key, exc_info=True)
        return compute()
    if not acquired:
        logger.warning("cache lock for %s held too long; computing without it", key)
        return compute()
    try:
        value = cache.get(key, _MISSING)
        if value is _MISSING:
            value = compute()
            cache.set(key, value, jittered(timeout))
        return cast("T", value)
    finally:
        try:
            lock.release()
        except (LockError, RedisError):
            # Expired (the compute outlived LOCK_SECONDS) or Redis went away: nothing to undo.
            logger.warning("cache lock for %s was lost before release", key)
