"""Cache keys and a stampede-safe get-or-compute over the shared Redis cache.

Why one module: hand-formatted key strings drift apart between the code that
writes an entry and the code that must invalidate it. Every key is built here,
inside a ``Namespace`` whose version counter lives in Redis: bumping it makes
every entry of the namespace stale at once (one write invalidates a whole
list), and the old entries are overwritten or expire. Django's own
``KEY_PREFIX`` and ``VERSION`` (config/settings/cache.py) still wrap every key.

Why not ``cache.get_or_set``: on a cold or expired key every concurrent request
recomputes (a stampede). ``get_or_compute`` lets one caller recompute under a
lock while the others wait and re-read, spreads expiries with jitter, and keeps
serving, by computing directly, when Redis is down (the lock raises then, even
though get and set are configured to ignore the outage).

A hit reads the namespace version from Redis (a few bytes) and takes the value
from this process's copy when it has one under that version: for a large page,
moving and unpickling the value on every hit costs more than the rest of the
request (benchmarks/README.md has the figures). A namespace whose readers can
live with another process's change arriving a moment late (``version_seconds``)
also keeps the version in the process that long, and a hit then asks Redis
nothing; the process that invalidates sees its own change at once.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from redis.exceptions import LockError, RedisError
from redis.lock import Lock

from {{ cookiecutter.project_slug }}.core import measurement, metrics

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Spread expiries over +/- 10 % so entries written together do not expire together.
JITTER = 0.1
# How long a recompute may hold the lock, and how long the others wait for it.
LOCK_SECONDS = 10.0
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.01

_MISSING = object()

# Values this process last read or wrote, by key: (version, expires at, value).
# A hit then moves one small integer from Redis, not the whole value: for a
# large page that transfer and its unpickling cost more than the rest of the
# request. Bounded in entries and in age (never longer than the entry's own
# timeout); the version check keeps it exact. Callers in one process share the
# value: treat it as immutable (the shop stores encoded bytes).
LOCAL_ENTRIES = 64
LOCAL_SECONDS = 60.0
_local_values: dict[str, tuple[int, float, object]] = {}
_local_lock = threading.Lock()  # threaded workers share the dict
# Namespace versions this process trusts for a moment: counter key -> (version, until),
# at most LOCAL_ENTRIES of them. A read that overlapped an invalidation by this
# process is not trusted (it may have fetched the version from before it).
_local_versions: dict[str, tuple[int, float]] = {}
_invalidations = 0  # invalidations by this process so far


@dataclass(frozen=True)
class Namespace:
    """A family of cache entries that one call to ``invalidate`` drops together.

    Use one namespace per collection (``Namespace("shop.products")``) and one per
    object when single objects are cached (``Namespace.for_object("shop.product", pk)``).
    The namespace's version counter lives in Redis, shared by every process;
    each entry is stored with the version it was computed under, and an entry
    whose version is not the current one is a miss.

    ``version_seconds``: how long a process may go on trusting the version it
    read, so that hits within it ask Redis nothing. 0 (the default): every read
    asks, and an invalidation anywhere is seen at once everywhere. Above 0: an
    invalidation by another process is seen within that many seconds; choose it
    only for data a reader may see that much late (a catalog, not a balance).
    """

    name: str
    version_seconds: float = 0.0

    @classmethod
    def for_object(cls, name: str, pk: object, version_seconds: float = 0.0) -> Namespace:
        return cls(f"{name}:{pk}", version_seconds)

    @property
    def counter_key(self) -> str:
        return f"ns:{self.name}"

    def entry(self, *parts: object) -> Entry:
        """One entry of this namespace, e.g. ``PRODUCTS.entry("list", page)``."""
        return Entry(self, ":".join([self.name, *(str(part) for part in parts)]))

    def version(self) -> int:
        """The namespace's current version: one small read from Redis.

        A new counter starts from the clock, not 1, so a counter that was evicted
        never makes entries stored under its old numbers current again. With
        Redis down the version is 0 and nothing is ever found.
        """
        local_key = cache.make_key(self.counter_key)
        with _local_lock:
            version, until = _local_versions.get(local_key, (0, 0.0))
            invalidations_before = _invalidations
        if self.version_seconds and until > time.monotonic():
            return version
        stored = cache.get(self.counter_key)
        if stored is None:
            cache.add(self.counter_key, time.time_ns(), timeout=None)
            stored = cache.get(self.counter_key)
        version = int(stored or 0)
        self._trust(local_key, version, invalidations_before)
        return version

    def invalidate(self) -> None:
        """Make every entry of the namespace stale (bump the version)."""
        # No counter (ValueError): the next reader starts a fresh one, so nothing old is current.
        with contextlib.suppress(ValueError):
            cache.incr(self.counter_key)
        # This process sees its own change at once, whatever version_seconds says:
        # its next read asks Redis. (incr's answer is not kept: django-redis passes
        # it through Lua, whose numbers round a counter this large.)
        global _invalidations  # noqa: PLW0603 (this process's count, under the lock)
        with _local_lock:
            _invalidations += 1
            _local_versions.pop(cache.make_key(self.counter_key), None)

    def _trust(self, local_key: str, version: int, invalidations_before: int) -> None:
        if not self.version_seconds or not version:  # never trust 0: Redis was unreachable
            return
        with _local_lock:
            if _invalidations != invalidations_before:
                return  # this process invalidated meanwhile: the read may predate it
            if local_key not in _local_versions and len(_local_versions) >= LOCAL_ENTRIES:
                _local_versions.pop(next(iter(_local_versions)))  # the oldest
            _local_versions[local_key] = (version, time.monotonic() + self.version_seconds)

    def invalidate_on_commit(self, using: str = DEFAULT_DB_ALIAS) -> None:
        """Invalidate once the current transaction commits (at once outside one).

        Before commit, another request could recompute the entry from the old
        rows and cache them again; on rollback nothing changed.
        """
        transaction.on_commit(self.invalidate, using=using)


@dataclass(frozen=True)
class Entry:
    """A cache entry: its namespace and its key (built by Namespace.entry only)."""

    namespace: Namespace
    key: str

    def read(self, timeout: float) -> tuple[int, object]:
        """(current namespace version, the value if stored under it, else _MISSING).

        The version always comes from Redis, so an invalidation by any process
        is seen at once. The value comes from this process's copy when that was
        stored under the same version, else from Redis (then kept locally).
        """
        version = self.namespace.version()
        if not version:  # Redis unreachable: nothing can be trusted or stored
            return version, _MISSING
        with _local_lock:
            local = _local_values.get(cache.make_key(self.key))
        if local is not None and local[0] == version and local[1] > time.monotonic():
            return version, local[2]
        stored = cache.get(self.key)
        if isinstance(stored, tuple) and stored[0] == version:
            self._keep_locally(version, stored[1], timeout)
            return version, stored[1]
        return version, _MISSING

    def write(self, version: int, value: object, timeout: float) -> None:
        if not version:
            return
        cache.set(self.key, (version, value), jittered(timeout))
        self._keep_locally(version, value, timeout)

    def _keep_locally(self, version: int, value: object, timeout: float) -> None:
        key = cache.make_key(self.key)
        expires = time.monotonic() + min(LOCAL_SECONDS, timeout)
        with _local_lock:
            if key not in _local_values and len(_local_values) >= LOCAL_ENTRIES:
                _local_values.pop(next(iter(_local_values)))  # the oldest
            _local_values[key] = (version, expires, value)


def local_copies_forget() -> None:
    """Forget this process's copies of values and versions, as a new process starts.

    For code that empties the shared cache behind the namespaces' back (the
    tests' fixture between tests): without it, this process would go on
    trusting what it read before.
    """
    with _local_lock:
        _local_values.clear()
        _local_versions.clear()


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


def _count_lookup(entry: Entry, *, hit: bool) -> None:
    """Into the request's log line and the metrics (core/middleware.py)."""
    current = measurement.current()
    if current is not None:
        current.add_cache_lookup(hit=hit)
    metrics.cache_looked_up(entry.namespace.name, hit=hit)


def get_or_compute(entry: Entry, compute: Callable[[], T], *, timeout: float) -> T:
    """The cached value of ``entry``, computed once across processes on a miss.

    One caller takes the lock, re-reads (another may have just written the
    value), computes and stores it with a jittered timeout; the others wait for
    the lock and find the value on their re-read. The value is stored with the
    version read BEFORE computing: an invalidation during the compute makes it
    stale at once. When Redis is unreachable, or the holder takes longer than
    WAIT_SECONDS, the caller computes directly: slower, but it answers.
    """
    _, value = entry.read(timeout)
    _count_lookup(entry, hit=value is not _MISSING)
    if value is not _MISSING:
        return cast("T", value)
    lock = _lock(f"lock:{entry.key}")
    try:
        acquired = lock.acquire()
    except RedisError as error:
        logger.warning("cache lock unavailable for %s (%r); computing without it", entry.key, error)
        return compute()
    if not acquired:
        logger.warning("cache lock for %s held too long; computing without it", entry.key)
        return compute()
    try:
        version, value = entry.read(timeout)
        if value is _MISSING:
            value = compute()
            entry.write(version, value, timeout)
        return cast("T", value)
    finally:
        try:
            lock.release()
        except (LockError, RedisError):
            # Expired (the compute outlived LOCK_SECONDS) or Redis went away: nothing to undo.
            logger.warning("cache lock for %s was lost before release", entry.key)
