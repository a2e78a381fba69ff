"""This process's own copies of cache data: bounded in entries and in age, shared by threads.

Why: for a large cached page, moving the value out of Redis and unpickling it
on every hit costs more than the rest of the request (the queries benchmark
measures it, where the benchmarks are included). A namespace that asks for it (namespaces.py) keeps each
value it read or wrote here, checked against the namespace's version on every
hit, and may trust that version for a moment too. Callers in one process share
a value: treat it as immutable (the shop stores encoded bytes).
"""

from __future__ import annotations

import threading
import time
from typing import Generic, TypeVar

T = TypeVar("T")

# Most entries each kind of copy keeps; the oldest goes first.
MAX_ENTRIES = 64


class LocalCopies(Generic[T]):
    """A small map of key -> value, each value with its own expiry.

    ``generation`` counts ``forget`` calls: a caller that read a value from
    Redis before this process forgot the key passes the generation it saw, and
    the stale read is not kept (``keep(..., generation=...)``).
    """

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.generation = 0
        self._copies: dict[str, tuple[float, T]] = {}
        self._lock = threading.Lock()  # threaded workers share the map

    def __len__(self) -> int:
        return len(self._copies)

    def get(self, key: str) -> T | None:
        with self._lock:
            copy = self._copies.get(key)
        if copy is None or copy[0] <= time.monotonic():
            return None
        return copy[1]

    def keep(self, key: str, value: T, seconds: float, *, generation: int | None = None) -> None:
        with self._lock:
            if generation is not None and generation != self.generation:
                return  # forgotten meanwhile: the value may predate it
            if key not in self._copies and len(self._copies) >= self.max_entries:
                self._copies.pop(next(iter(self._copies)))  # the oldest
            self._copies[key] = (time.monotonic() + seconds, value)

    def forget(self, key: str) -> None:
        with self._lock:
            self.generation += 1
            self._copies.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._copies.clear()


# Namespace versions trusted for a moment: counter key -> version.
VERSIONS: LocalCopies[int] = LocalCopies()
# Values read or written: entry key -> (the version they were stored under, value).
VALUES: LocalCopies[tuple[int, object]] = LocalCopies()


def local_copies_forget() -> None:
    """Forget every copy, as a new process starts.

    For code that empties the shared cache behind the namespaces' back (the
    tests' fixture between tests): without it, this process would go on
    trusting what it read before.
    """
    VERSIONS.clear()
    VALUES.clear()
