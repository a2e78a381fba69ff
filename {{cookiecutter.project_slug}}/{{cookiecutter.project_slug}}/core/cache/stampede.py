"""A get-or-compute that recomputes a missing entry once across every process.

Why not ``cache.get_or_set``: on a cold or expired key every concurrent request
recomputes (a stampede). ``get_or_compute`` lets one caller recompute under a
Redis lock while the others wait and re-read, spreads expiries with jitter,
and keeps serving, by computing directly, when Redis is down (the lock raises
then, even though get and set are configured to ignore the outage) or its
circuit breaker is open (breaker.py): no version read, no lock taken.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.cache import cache
from redis.exceptions import LockError, RedisError
from redis.lock import Lock

from {{ cookiecutter.project_slug }}.core.cache.breaker import CacheCircuitOpenError
from {{ cookiecutter.project_slug }}.core.cache.lookups import lookup_count
from {{ cookiecutter.project_slug }}.core.cache.namespaces import Entry

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Spread expiries over +/- 10 % so entries written together do not expire together.
JITTER = 0.1
# How long a recompute may hold the lock, and how long the others wait for it.
LOCK_SECONDS = 10.0
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.01


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


def _acquired(lock: Lock, key: str) -> bool:
    """Whether the lock was taken; False (said in a warning) when Redis or the holder fails us."""
    try:
        acquired = bool(lock.acquire())
    except CacheCircuitOpenError:
        return False  # opened since the version read: the breaker has said so
    except RedisError as error:
        logger.warning("cache lock unavailable for %s (%r); computing without it", key, error)
        return False
    if not acquired:
        logger.warning("cache lock for %s held too long; computing without it", key)
    return acquired


def get_or_compute(entry: Entry, compute: Callable[[], T], *, timeout: float) -> T:
    """The cached value of ``entry``, computed once across processes on a miss.

    One caller takes the lock, re-reads (another may have just written the
    value), computes and stores it with a jittered timeout; the others wait for
    the lock and find the value on their re-read. The value is stored with the
    version read BEFORE computing: an invalidation during the compute makes it
    stale at once. When Redis is unreachable (the version read failed, or the
    circuit breaker is open), or the holder takes longer than WAIT_SECONDS, the
    caller computes directly, without the lock: slower, but it answers.
    """
    found = entry.read(timeout)
    lookup_count(entry.namespace.name, hit=found.hit)
    if found.hit:
        return cast("T", found.value)
    if not found.version:
        # Redis did not answer the version read (or its circuit breaker is open):
        # no lock to take, nothing could be stored. Reported once, by the breaker.
        return compute()
    lock = _lock(f"lock:{entry.key}")
    if not _acquired(lock, entry.key):
        return compute()
    try:
        found = entry.read(timeout)
        if found.hit:
            return cast("T", found.value)
        value = compute()
        entry.write(found.version, value, jittered(timeout))
        return value
    finally:
        try:
            lock.release()
        except (LockError, RedisError):
            # Expired (the compute outlived LOCK_SECONDS) or Redis went away: nothing to undo.
            logger.warning("cache lock for %s was lost before release", entry.key)
