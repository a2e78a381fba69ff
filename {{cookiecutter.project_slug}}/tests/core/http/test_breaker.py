"""core/http/breaker.py: a host that keeps failing is left alone for a cool-down, on loopback peers."""

import logging
import time

import pytest
import requests
from prometheus_client import REGISTRY
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.breakers import CLOSED, OPEN, breaker_states
from {{ cookiecutter.project_slug }}.core.http.breaker import HttpCircuitOpenError
from {{ cookiecutter.project_slug }}.core.http.sessions import http_session

from tests.support.loopback import HOST, Reply, Seen, http_server, http_url, silent_peer

FAILURES = 2
COOL_DOWN = 0.3


@pytest.fixture(autouse=True)
def quick_breaker(settings: Settings) -> None:
    settings.HTTP_CIRCUIT_FAILURES = FAILURES
    settings.HTTP_CIRCUIT_SECONDS = COOL_DOWN


def state(url: str) -> str:
    return breaker_states()["http"][url.removesuffix("/")]


def test_a_silent_host_opens_after_the_timeouts_in_a_row_then_fails_at_once() -> None:
    with silent_peer() as peer, http_session(timeout=(0.5, 0.2), retries=0) as session:
        url = http_url(peer.port)
        for _ in range(FAILURES):
            with pytest.raises(requests.ReadTimeout):
                session.get(url)
        assert state(url) == OPEN
        seen = peer.seen()
        seconds = []
        for _ in range(5):
            started = time.monotonic()
            with pytest.raises(requests.ConnectionError, match="http circuit open for"):
                session.get(url)  # what a caller already handles for an unreachable host
            seconds.append(time.monotonic() - started)
        time.sleep(0.05)
        assert peer.seen() == seen, "a call reached the host while its breaker was open"
    assert max(seconds) < 0.2, f"{max(seconds):.2f} s: a call waited the read timeout"


def test_5xx_answers_open_it_and_a_good_probe_closes_it(caplog: pytest.LogCaptureFixture) -> None:
    answers = {"status": 503}

    def respond(_: Seen) -> Reply:
        return Reply(answers["status"], b"{}")

    with (
        http_server(respond) as server,
        http_session(retries=0) as session,
        caplog.at_level(logging.INFO),
    ):
        for _ in range(FAILURES):
            assert session.get(server.url).status_code == 503  # the caller sees the answer
        with pytest.raises(HttpCircuitOpenError):
            session.get(server.url)
        assert len(server.seen) == FAILURES
        answers["status"] = 200
        time.sleep(COOL_DOWN)
        assert session.get(server.url).status_code == 200, "the probe"
        assert state(server.url) == CLOSED
        assert session.get(server.url).status_code == 200
        assert len(server.seen) == FAILURES + 2
    host = {"host": server.url}
    assert REGISTRY.get_sample_value("http_circuit_state", host) == 0  # closed again
    assert REGISTRY.get_sample_value("http_circuit_opens_total", host) == 1
    lines = [record.getMessage().split(":")[0] for record in caplog.records]
    assert lines == ["http circuit open", "http circuit half-open", "http circuit closed"]


def test_a_failed_probe_opens_it_for_another_cool_down() -> None:
    with http_server(lambda _: Reply(500)) as server, http_session(retries=0) as session:
        for _ in range(FAILURES):
            session.get(server.url)
        time.sleep(COOL_DOWN)
        assert session.get(server.url).status_code == 500, "the probe"
        with pytest.raises(HttpCircuitOpenError):
            session.get(server.url)
        assert len(server.seen) == FAILURES + 1


def test_each_host_has_its_own_breaker() -> None:
    with (
        http_server(lambda _: Reply(503)) as failing,
        http_server(lambda _: Reply(200)) as healthy,
        http_session(retries=0) as session,
    ):
        for _ in range(FAILURES):
            session.get(failing.url)
        with pytest.raises(HttpCircuitOpenError):
            session.get(failing.url)
        assert session.get(healthy.url).status_code == 200
    assert state(healthy.url) == CLOSED
    assert healthy.url.startswith(f"http://{HOST}:")
