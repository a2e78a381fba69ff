"""core/cache/breaker.py: a silent Redis costs one timeout per cool-down, on real loopback peers.

Each test points the cache at a peer of its own (a silent one that counts
what reaches it, or a proxy in front of the real Redis), with short socket
timeouts and cool-downs so the suite stays quick.
"""

import logging
import threading
import time
from typing import Any

import pytest
from django.core.cache import cache
from django_redis import get_redis_connection
from prometheus_client import REGISTRY
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.breakers import (
    CLOSED,
    HALF_OPEN,
    OPEN,
    breaker_states,
)
from {{ cookiecutter.project_slug }}.core.cache import Namespace, get_or_compute
from {{ cookiecutter.project_slug }}.core.cache.breaker import CacheCircuitOpenError

from tests.support.caches import cache_pointed_at
from tests.support.loopback import HOST, Hush, silent_peer
from tests.support.proxies import tcp_proxy

TIMEOUT = 0.2  # the socket timeouts of these tests
COOL_DOWN = 0.4


def state(port: int) -> str:
    return breaker_states()["cache"][f"{HOST}:{port}"]


def open_on(settings: Settings, peer: Hush, cool_down: float = 30.0) -> float:
    """Point the cache at ``peer`` and make the first call: the seconds it took."""
    cache_pointed_at(settings, peer.port, socket_timeout=TIMEOUT, circuit_seconds=cool_down)
    started = time.monotonic()
    assert cache.get("first") is None
    return time.monotonic() - started


def every_kind_of_call() -> None:
    """What a request and the project make of the cache: all must answer, none may raise."""
    assert cache.get("key") is None
    assert cache.get_many(["a", "b"]) == {}
    cache.set("key", b"value", 60)
    assert not cache.add("key", b"value", 60)
    cache.set_many({"a": 1, "b": 2})  # a pipeline
    redis_cache: Any = cache  # django-redis adds delete_pattern() to the cache API
    redis_cache.delete_pattern("a*")  # a scan and a pipeline
    Namespace("tests.breaker").invalidate()  # incr
    value = get_or_compute(Namespace("tests.breaker").entry("page"), lambda: b"page", timeout=60)
    assert value == b"page"  # computed, without the stampede lock


def test_a_silent_redis_opens_the_breaker_after_the_first_timeout(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with silent_peer() as peer, caplog.at_level(logging.INFO):
        first = open_on(settings, peer)
        assert state(peer.port) == OPEN
    assert TIMEOUT <= first < TIMEOUT + 1.0, "the first call pays one socket timeout"
    server = {"server": f"{HOST}:{peer.port}"}
    assert REGISTRY.get_sample_value("cache_circuit_state", server) == 2  # open
    assert REGISTRY.get_sample_value("cache_circuit_opens_total", server) == 1
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"cache circuit open: Redis at {HOST}:{peer.port} failed")
    assert caplog.records[0].exc_info is None, "a line, not a traceback"


def test_while_open_no_call_reaches_redis(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with silent_peer() as peer:
        open_on(settings, peer)
        seen = peer.seen()
        caplog.clear()
        rounds: list[float] = []
        with caplog.at_level(logging.INFO):
            for _ in range(10):
                started = time.monotonic()
                every_kind_of_call()
                rounds.append(time.monotonic() - started)
        time.sleep(0.05)  # anything sent would have arrived by now
        assert peer.seen() == seen, "a call reached the silent peer while the breaker was open"
    assert max(rounds) < TIMEOUT, f"{max(rounds):.2f} s: a call waited on the socket"
    assert caplog.records == [], "nothing logged per call while open"


def test_the_health_probe_fails_at_once_while_open(settings: Settings) -> None:
    with silent_peer() as peer:
        open_on(settings, peer)
        started = time.monotonic()
        with pytest.raises(CacheCircuitOpenError, match="next probe in"):
            get_redis_connection("default").ping()
        assert time.monotonic() - started < TIMEOUT


def test_after_the_cool_down_one_probe_goes_through(settings: Settings) -> None:
    with silent_peer() as peer:
        open_on(settings, peer, cool_down=COOL_DOWN)
        connections, _ = peer.seen()
        time.sleep(COOL_DOWN)
        callers = 8
        barrier = threading.Barrier(callers)
        took: list[float] = []

        def read() -> None:
            barrier.wait(timeout=5)
            started = time.monotonic()
            cache.get("key")
            took.append(time.monotonic() - started)

        threads = [threading.Thread(target=read) for _ in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=5)
        time.sleep(0.05)
        assert peer.seen()[0] == connections + 1, "one probe, one connection"
        assert state(peer.port) == OPEN, "the probe failed: open for another cool-down"
    slow = [seconds for seconds in took if seconds >= TIMEOUT]
    assert len(slow) == 1, f"only the probe waits on the socket: {took}"


def test_a_recovered_redis_closes_the_breaker(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    real = get_redis_connection("default")
    real_port = int(real.connection_pool.connection_kwargs["port"])
    with tcp_proxy(real_port) as proxy:
        cache_pointed_at(settings, proxy.port, socket_timeout=TIMEOUT, circuit_seconds=COOL_DOWN)
        cache.set("kept", b"value", 60)
        proxy.set("silent")
        with caplog.at_level(logging.INFO):
            assert cache.get("kept") is None
            assert state(proxy.port) == OPEN
            proxy.set("up")
            assert cache.get("kept") is None, "open: Redis is not asked before the cool-down"
            time.sleep(COOL_DOWN)
            assert cache.get("kept") == b"value", "the probe reached Redis"
            assert state(proxy.port) == CLOSED
            assert cache.get("kept") == b"value"
        # Through the proxy, under this test's settings: the autouse clean-up runs after
        # the settings are restored, but reaches the same keys only while the proxy is up.
        cache.delete("kept")
    closed = REGISTRY.get_sample_value("cache_circuit_state", {"server": f"{HOST}:{proxy.port}"})
    assert closed == 0
    changes = [record.getMessage().split(":")[0] for record in caplog.records]
    assert changes == ["cache circuit open", "cache circuit half-open", "cache circuit closed"]


def test_an_error_reply_is_an_answer(settings: Settings) -> None:
    """Redis that answers with an error is not silent: the breaker stays closed."""
    redis: Any = get_redis_connection("default")
    redis.set(cache.make_key("text"), "not a number")
    with pytest.raises(Exception, match="not an integer"):
        redis.incr(cache.make_key("text"))
    assert state(int(redis.connection_pool.connection_kwargs["port"])) in {CLOSED, HALF_OPEN}
