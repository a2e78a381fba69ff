"""Cache keys in namespaces whose version one call bumps, dropping every entry at once.

Why: hand-formatted key strings drift apart between the code that writes an
entry and the code that must invalidate it. Every key is built here, inside a
``Namespace`` whose version counter lives in Redis: bumping it makes every
entry of the namespace stale at once (one write invalidates a whole list), and
the old entries are overwritten or expire. Django's own ``KEY_PREFIX`` and
``VERSION`` (config/settings/cache.py) still wrap every key.

A namespace may ask for this process's own copies (local.py): of each value,
checked against the version on every hit (``local_values``), and of the
version itself for a moment (``version_seconds``), so that a hit asks Redis
nothing at all. By default every read asks Redis, and a change anywhere is
seen at once everywhere.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction

from {{ cookiecutter.project_slug }}.core.cache.local import VALUES, VERSIONS

# The longest a value copy is kept (never longer than the entry's own timeout).
LOCAL_VALUE_SECONDS = 60.0
# The code whose change may change what is cached: the service's package and config/.
PACKAGE = Path(__file__).resolve().parents[2]
CODE_DIRECTORIES = (PACKAGE, PACKAGE.parent / "config")


def source_digest(*directories: Path) -> str:
    """A short digest of the Python files under ``directories``, names and contents, in
    digits (django-perf-rec's records show any number as #, so they outlive a change)."""
    digest = hashlib.blake2b(digest_size=8)
    for directory in directories:
        for path in sorted(directory.rglob("*.py")):
            digest.update(f"{path.relative_to(directory)}\0".encode())
            digest.update(path.read_bytes())
    return str(int.from_bytes(digest.digest(), "big"))


@functools.cache
def code_version() -> str:
    """This release's code, in every entry's Redis key and every ETag (core/api/caching.py).

    A deploy that changes what is cached (an answer's shape, a pickled class) then
    never serves what the previous release stored, nor answers 304 to its ETags,
    and during a rollout each release reads and writes its own entries. Read once
    per process: a few milliseconds.
    """
    return source_digest(*CODE_DIRECTORIES)


@dataclass(frozen=True)
class Namespace:
    """A family of cache entries that one call to ``invalidate`` drops together.

    Use one namespace per collection (``Namespace("shop.products")``) and one per
    object when single objects are cached (``Namespace.for_object("shop.product", pk)``).
    The namespace's version counter lives in Redis, shared by every process;
    each entry is stored with the version it was computed under, and an entry
    whose version is not the current one is a miss.

    ``local_values``: keep a copy of each value in this process, used while the
    version is unchanged (exact); for large values, whose transfer and
    unpickling would dominate a hit.
    ``version_seconds``: how long this process may go on trusting the version
    it read, so that such hits ask Redis nothing. An invalidation by another
    process is then seen within that many seconds (this process's own at once):
    choose it only for data a reader may see that much late (a catalog, not a
    balance).
    """

    name: str
    local_values: bool = False
    version_seconds: float = 0.0

    @classmethod
    def for_object(
        cls, name: str, pk: object, *, local_values: bool = False, version_seconds: float = 0.0
    ) -> Namespace:
        return cls(f"{name}:{pk}", local_values, version_seconds)

    @property
    def counter_key(self) -> str:
        return f"ns:{self.name}"

    def entry(self, *parts: object) -> Entry:
        """One entry of this namespace, e.g. ``PRODUCTS.entry("list", page)``."""
        return Entry(self, ":".join([self.name, *(str(part) for part in parts)]))

    def version(self) -> int:
        """The namespace's current version: one small read from Redis, unless trusted.

        A new counter starts from the clock, not 1, so a counter that was evicted
        never makes entries stored under its old numbers current again. With
        Redis down the version is 0 and nothing is ever found.
        """
        local_key = cache.make_key(self.counter_key)
        if self.version_seconds:
            trusted = VERSIONS.get(local_key)
            if trusted is not None:
                return trusted
        generation = VERSIONS.generation
        stored = cache.get(self.counter_key)
        if stored is None:
            cache.add(self.counter_key, time.time_ns(), timeout=None)
            stored = cache.get(self.counter_key)
        version = int(stored or 0)
        if self.version_seconds and version:  # never trust 0: Redis was unreachable
            # Not kept when this process invalidated meanwhile: the read may predate it.
            VERSIONS.keep(local_key, version, self.version_seconds, generation=generation)
        return version

    def invalidate(self) -> None:
        """Make every entry of the namespace stale (bump the version)."""
        # No counter (ValueError): the next reader starts a fresh one, so nothing old is current.
        with contextlib.suppress(ValueError):
            cache.incr(self.counter_key)
        # This process sees its own change at once, whatever version_seconds says:
        # its next read asks Redis. (incr's answer is not kept: django-redis passes
        # it through Lua, whose numbers round a counter this large.)
        VERSIONS.forget(cache.make_key(self.counter_key))

    def invalidate_on_commit(self, using: str = DEFAULT_DB_ALIAS) -> None:
        """Invalidate once the current transaction commits (at once outside one).

        Before commit, another request could recompute the entry from the old
        rows and cache them again; on rollback nothing changed.
        """
        transaction.on_commit(self.invalidate, using=using)


@dataclass(frozen=True)
class Lookup:
    """What a read found: the namespace's version, and the value when stored under it."""

    version: int
    hit: bool
    value: object = None


@dataclass(frozen=True)
class Entry:
    """A cache entry: its namespace and its key (built by Namespace.entry only)."""

    namespace: Namespace
    key: str

    @property
    def stored_key(self) -> str:
        """The key in Redis: this release's own (``code_version``)."""
        return f"{self.key}@{code_version()}"

    def read(self, timeout: float) -> Lookup:
        """The current version, and the value stored under it if any.

        The value comes from this process's copy when the namespace keeps them
        and the copy was stored under the same version, else from Redis.
        ``timeout`` is the entry's own: a copy kept now never outlives it.
        """
        version = self.namespace.version()
        if not version:  # Redis unreachable: nothing can be trusted or stored
            return Lookup(version, hit=False)
        if self.namespace.local_values:
            copy = VALUES.get(cache.make_key(self.key))
            if copy is not None and copy[0] == version:
                return Lookup(version, hit=True, value=copy[1])
        stored = cache.get(self.stored_key)
        if isinstance(stored, tuple) and stored[0] == version:
            self._keep_locally(version, stored[1], timeout)
            return Lookup(version, hit=True, value=stored[1])
        return Lookup(version, hit=False)

    def write(self, version: int, value: object, timeout: int) -> None:
        """Store ``value`` under ``version`` (the one read before computing it) for ``timeout`` s."""
        if not version:
            return
        cache.set(self.stored_key, (version, value), timeout)
        self._keep_locally(version, value, timeout)

    def _keep_locally(self, version: int, value: object, timeout: float) -> None:
        if self.namespace.local_values:
            seconds = min(LOCAL_VALUE_SECONDS, timeout)
            VALUES.keep(cache.make_key(self.key), (version, value), seconds)
