"""Celery beat that sends each periodic task once, however many beats run.

Why: a second beat (a rolling deploy's overlap, a second replica, one left
running by hand) sends every periodic task twice. Every beat here keeps the
schedule, but only the one holding a lock in Redis sends. The holder renews
the lock at each tick (at least every third of CELERY_BEAT_LOCK_SECONDS), so
a standby takes over within CELERY_BEAT_LOCK_SECONDS and one more tick (a
third of it) when the holder dies, and at its next tick when the holder stops
(it releases the lock). The lock is one per task queue: two deployments that
share a Redis (staging beside production) never silence each other's beat. A beat
that cannot reach Redis sends nothing: a skipped run beats a doubled one.

The schedule is kept in memory (celery.beat.Scheduler), not in a file: the
image's code directory is read-only, and a restarted beat starts its
intervals afresh instead of catching up.
"""

import logging
import os
import socket
import uuid
from typing import Any

from celery.beat import ScheduleEntry, Scheduler
from django.conf import settings
from django.core.cache import cache
from redis.exceptions import LockError, RedisError

logger = logging.getLogger(__name__)


def lock_key() -> str:
    """One lock per deployment: named after its queue, under the cache's KEY_PREFIX."""
    return f"celery-beat-lock:{settings.CELERY_TASK_DEFAULT_QUEUE}"


class SingleBeat(Scheduler):
    """Sends due entries only while holding the beat lock; otherwise a standby."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock_seconds = settings.BEAT_LOCK_SECONDS
        # Renew well before the lock expires, even when nothing is due for hours.
        renew_every = max(1, self.lock_seconds // 3)
        self.max_interval = min(self.max_interval or renew_every, renew_every)
        redis_cache: Any = cache  # django-redis adds lock() to the cache API
        self._lock = redis_cache.lock(lock_key(), timeout=self.lock_seconds, thread_local=False)
        # Who holds it, for an operator reading the key (GET <prefix>:1:celery-beat-lock:<queue>).
        self._token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        self.holding = False

    def tick(self, *args: Any, **kwargs: Any) -> float:
        self._hold()
        interval: float = super().tick(*args, **kwargs)
        return interval

    def apply_entry(self, entry: ScheduleEntry, producer: Any = None) -> None:
        # A standby's tick still advances the entry, so on takeover it sends the
        # next due run rather than a backlog.
        if self.holding:
            super().apply_entry(entry, producer=producer)

    def close(self) -> None:
        if self.holding:
            try:
                self._lock.release()
            except (LockError, RedisError):
                logger.warning("beat lock: not released, it expires in %s s", self.lock_seconds)
            self.holding = False
        super().close()

    def _hold(self) -> None:
        """Renew the lock if held, else try to take it; ``holding`` says which."""
        was_holding = self.holding
        try:
            if was_holding:
                self._lock.reacquire()  # the full lifetime again, or LockNotOwnedError
            else:
                self.holding = bool(self._lock.acquire(blocking=False, token=self._token))
        except LockError:
            self.holding = False
            logger.warning("beat lock: lost to another beat; standing by")
        except RedisError:
            self.holding = False
            logger.warning("beat lock: Redis unreachable; sending nothing until it answers")
        if self.holding and not was_holding:
            logger.info("beat lock: taken (%s); sending periodic tasks", self._token)
