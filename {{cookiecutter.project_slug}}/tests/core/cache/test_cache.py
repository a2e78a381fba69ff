"""core/cache/: namespaced keys, stampede-safe get-or-compute, outage and commit behaviour."""

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django_redis import get_redis_connection
from pytest_django import DjangoCaptureOnCommitCallbacks

from {{ cookiecutter.project_slug }}.core.cache import (
    Namespace,
    get_or_compute,
    local,
    namespaces,
)
from {{ cookiecutter.project_slug }}.core.cache.stampede import JITTER, jittered


def counting(value: bytes, seconds: float = 0.0) -> tuple[Callable[[], bytes], list[int]]:
    """A compute function that records each call (thread-safe) and takes `seconds`."""
    calls: list[int] = []
    lock = threading.Lock()

    def compute() -> bytes:
        with lock:
            calls.append(1)
        time.sleep(seconds)
        return value

    return compute, calls


def test_keys_are_namespaced() -> None:
    assert Namespace("shop.products").entry("list", 2).key == "shop.products:list:2"
    assert Namespace.for_object("shop.product", 7).entry("detail").key == "shop.product:7:detail"


def test_an_entry_the_previous_release_stored_is_never_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After a deploy the cached value may have another shape: the new code's is computed."""
    entry = Namespace("test").entry("shape")
    get_or_compute(entry, lambda: b"the old shape", timeout=60)
    monkeypatch.setattr(namespaces, "code_version", lambda: "the-next-release")
    assert get_or_compute(entry, lambda: b"the new shape", timeout=60) == b"the new shape"


def test_the_code_version_follows_the_source(tmp_path: Path) -> None:
    (tmp_path / "schemas.py").write_text("FIELDS = ['name']\n")
    before = namespaces.source_digest(tmp_path)
    assert namespaces.source_digest(tmp_path) == before
    (tmp_path / "schemas.py").write_text("FIELDS = ['name', 'sku']\n")
    assert namespaces.source_digest(tmp_path) != before
    package, config = namespaces.CODE_DIRECTORIES
    assert (package / "core" / "cache" / "namespaces.py").is_file()
    assert (config / "settings").is_dir()


def test_get_or_compute_caches_the_value() -> None:
    compute, calls = counting(b"body")
    entry = Namespace("test").entry("value")
    assert get_or_compute(entry, compute, timeout=60) == b"body"
    assert get_or_compute(entry, compute, timeout=60) == b"body"
    assert len(calls) == 1


def test_invalidate_drops_the_whole_namespace_only() -> None:
    products, brands = Namespace("shop.products"), Namespace("shop.brands")
    entries = [products.entry("list", 1), products.entry("list", 2), brands.entry("list")]
    compute, calls = counting(b"body")
    for entry in entries:
        get_or_compute(entry, compute, timeout=60)
    products.invalidate()
    for entry in entries:
        get_or_compute(entry, compute, timeout=60)
    assert len(calls) == 3 + 2  # both product pages recomputed, the brand list not


def test_a_lost_counter_never_revives_old_entries() -> None:
    products = Namespace("shop.products")
    entry = products.entry("list")
    get_or_compute(entry, lambda: b"old", timeout=60)
    cache.delete(products.counter_key)  # evicted
    assert get_or_compute(entry, lambda: b"new", timeout=60) == b"new"


def test_a_write_during_the_compute_leaves_the_value_stale() -> None:
    products = Namespace("shop.products")
    entry = products.entry("list")

    def compute_while_a_write_commits() -> bytes:
        products.invalidate()
        return b"computed from rows that just changed"

    get_or_compute(entry, compute_while_a_write_commits, timeout=60)
    assert get_or_compute(entry, lambda: b"fresh", timeout=60) == b"fresh"


def test_concurrent_misses_compute_once() -> None:
    compute, calls = counting(b"expensive", seconds=0.2)
    entry = Namespace("test").entry("stampede")
    callers = 16
    barrier = threading.Barrier(callers)
    results: list[bytes] = []

    def caller() -> None:
        barrier.wait(timeout=5)
        results.append(get_or_compute(entry, compute, timeout=60))

    threads = [threading.Thread(target=caller) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert results == [b"expensive"] * callers
    assert len(calls) == 1


def test_expiry_is_jittered() -> None:
    timeouts = {jittered(1000) for _ in range(50)}
    assert len(timeouts) > 1
    assert all(1000 * (1 - JITTER) <= timeout <= 1000 * (1 + JITTER) for timeout in timeouts)


@pytest.mark.usefixtures("redis_refused")
def test_redis_down_computes_directly_and_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    compute, calls = counting(b"fresh")
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            assert get_or_compute(Namespace("test").entry("down"), compute, timeout=60) == b"fresh"
    # Refused connections fail at once; a silent host would cost the 0.5 s socket timeouts.
    assert time.monotonic() - started < 2.0
    assert len(calls) == 5  # nothing could be cached
    # One line from the circuit breaker (core/cache/breaker.py): no traceback from
    # django-redis, no "lock unavailable" per call.
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1, messages
    assert messages[0].startswith("cache circuit open: Redis at 127.0.0.1:")
    assert "Connection refused" in messages[0]


def test_an_error_reply_still_logs_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """The breaker's filter drops only what it reported: Redis's own errors keep their traceback."""
    get_redis_connection("default").lpush(cache.make_key("a-list"), "item")
    with caplog.at_level(logging.WARNING):
        assert cache.get("a-list") is None  # WRONGTYPE: Redis answered with an error
    assert [record.getMessage() for record in caplog.records] == ["Exception ignored"]
    assert caplog.records[0].exc_info is not None


@pytest.mark.django_db
def test_invalidation_waits_for_commit(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    products = Namespace("shop.products")
    before = products.version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            products.invalidate_on_commit()
        assert products.version() == before  # not yet: the transaction is still open
    assert len(callbacks) == 1
    assert products.version() != before


class RollbackError(Exception):
    pass


@pytest.mark.django_db
def test_rollback_does_not_invalidate(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    products = Namespace("shop.products")
    before = products.version()

    def write_then_fail() -> None:
        with transaction.atomic():
            products.invalidate_on_commit()
            raise RollbackError

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RollbackError),
    ):
        write_then_fail()
    assert callbacks == []
    assert products.version() == before


def another_process_invalidates(namespace: Namespace) -> None:
    """What Namespace.invalidate() does in another process: only Redis changes."""
    cache.incr(namespace.counter_key)


def test_a_trusted_version_spares_the_redis_read(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = Namespace("tests.catalog", local_values=True, version_seconds=30.0)
    get_or_compute(catalog.entry("page"), lambda: b"page", timeout=60)
    reads: list[str] = []
    original_get = cache.get

    def counted_get(key: str, *args: Any, **kwargs: Any) -> Any:
        reads.append(key)
        return original_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counted_get)
    for _ in range(3):
        assert get_or_compute(catalog.entry("page"), lambda: b"new", timeout=60) == b"page"
    assert reads == [], "a hit within version_seconds asks Redis nothing"


def test_another_processes_change_arrives_within_version_seconds() -> None:
    catalog = Namespace("tests.catalog", local_values=True, version_seconds=0.3)
    compute, calls = counting(b"page")
    get_or_compute(catalog.entry("page"), compute, timeout=60)
    another_process_invalidates(catalog)
    get_or_compute(catalog.entry("page"), compute, timeout=60)
    assert len(calls) == 1, "still trusted: the change may arrive up to 0.3 s late"
    time.sleep(0.35)
    get_or_compute(catalog.entry("page"), compute, timeout=60)
    assert len(calls) == 2, "after version_seconds the change is seen"


def test_this_processes_change_is_seen_at_once() -> None:
    catalog = Namespace("tests.catalog", local_values=True, version_seconds=30.0)
    compute, calls = counting(b"page")
    get_or_compute(catalog.entry("page"), compute, timeout=60)
    catalog.invalidate()
    get_or_compute(catalog.entry("page"), compute, timeout=60)
    assert len(calls) == 2


def test_without_version_seconds_every_change_is_seen_at_once() -> None:
    exact = Namespace("tests.exact")
    compute, calls = counting(b"page")
    get_or_compute(exact.entry("page"), compute, timeout=60)
    another_process_invalidates(exact)
    get_or_compute(exact.entry("page"), compute, timeout=60)
    assert len(calls) == 2


def test_a_read_that_overlaps_this_processes_invalidation_is_not_trusted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reader fetched the version, then this process invalidated before it was kept."""
    catalog = Namespace("tests.catalog", local_values=True, version_seconds=30.0)
    catalog.version()
    catalog.invalidate()  # drops the trusted version: the next read asks Redis
    original_get = cache.get
    overlapped: list[bool] = []

    def get_then_invalidate(key: str, *args: Any, **kwargs: Any) -> Any:
        stored = original_get(key, *args, **kwargs)  # the version from before...
        if key == catalog.counter_key and not overlapped:
            overlapped.append(True)
            catalog.invalidate()  # ...another thread's invalidation lands now
        return stored

    monkeypatch.setattr(cache, "get", get_then_invalidate)
    stale = catalog.version()
    assert catalog.version() != stale, "the version read before the invalidation was kept"


def test_trusted_versions_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local.VERSIONS, "max_entries", 3)
    for pk in range(10):
        Namespace.for_object("tests.item", pk, version_seconds=30.0).version()
    assert len(local.VERSIONS) == 3
