"""core.http: default timeouts, bounded retries and the session policy, on loopback servers."""

import logging
import time

import pytest
import requests
from django.conf import settings
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.http.sessions import (
    TimeoutHTTPAdapter,
    http_session,
)

from tests.support.loopback import Reply, closed_port, http_server, http_url, silent_listener

SLACK = 1.0  # seconds allowed above a bound for a loaded machine


@pytest.fixture(autouse=True)
def fast_backoff(settings: Settings) -> None:
    """Short waits between retries, so the tests stay fast (the policy is unchanged)."""
    settings.HTTP_RETRY_BACKOFF_FACTOR = 0.05


def test_default_timeout_stops_a_server_that_never_answers() -> None:
    with silent_listener() as port, http_session(timeout=(0.5, 0.3), retries=2) as session:
        started = time.monotonic()
        with pytest.raises(requests.ReadTimeout):
            session.get(http_url(port))  # no timeout given: the session's default applies
        elapsed = time.monotonic() - started
    # Read timeouts are not retried: one read timeout, not three.
    assert 0.3 <= elapsed < 0.3 + SLACK


def test_a_timeout_given_by_the_caller_wins() -> None:
    with silent_listener() as port, http_session(timeout=(0.5, 30.0)) as session:
        started = time.monotonic()
        with pytest.raises(requests.ReadTimeout):
            session.get(http_url(port), timeout=0.2)
        assert time.monotonic() - started < 0.2 + SLACK


def test_503_twice_then_200_is_retried_with_backoff() -> None:
    answers = iter([Reply(503), Reply(503), Reply(200, b"ok")])
    with http_server(lambda _: next(answers)) as server, http_session(retries=2) as session:
        started = time.monotonic()
        response = session.get(server.url + "/rates")
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert response.text == "ok"
    assert [request.method for request in server.seen] == ["GET", "GET", "GET"]
    # Back-off: no wait before the first retry, then 0.05 * 2 = 0.1 s.
    assert 0.1 <= elapsed < 0.1 + SLACK
    assert server.seen[0].headers["User-Agent"] == settings.HTTP_USER_AGENT


def test_retries_stop_at_the_configured_count() -> None:
    with http_server(lambda _: Reply(503)) as server, http_session(retries=2) as session:
        response = session.get(server.url)
    # The last 503 is handed back for the caller to handle; 1 try + 2 retries.
    assert response.status_code == 503
    assert len(server.seen) == 3


def test_post_is_never_retried() -> None:
    with http_server(lambda _: Reply(503)) as server, http_session(retries=2) as session:
        response = session.post(server.url, json={"order": 1})
    assert response.status_code == 503
    assert len(server.seen) == 1


def test_retry_after_is_honoured_up_to_the_cap(settings: Settings) -> None:
    settings.HTTP_RETRY_AFTER_MAX = 1
    answers = iter([Reply(503, headers={"Retry-After": "3600"}), Reply(200)])
    with http_server(lambda _: next(answers)) as server, http_session(retries=1) as session:
        started = time.monotonic()
        response = session.get(server.url)
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert 1.0 <= elapsed < 1.0 + SLACK


def test_connect_errors_are_retried(caplog: pytest.LogCaptureFixture) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="urllib3.connectionpool"),
        http_session(retries=2) as session,
        pytest.raises(requests.ConnectionError),
    ):
        session.get(http_url(closed_port()))
    retries = [record for record in caplog.records if "Retrying" in record.getMessage()]
    assert len(retries) == 2


def test_session_policy_comes_from_settings() -> None:
    with http_session() as session:
        adapter = session.get_adapter("https://api.example.com/")
    assert isinstance(adapter, TimeoutHTTPAdapter)
    assert session.headers["User-Agent"] == settings.HTTP_USER_AGENT
    assert adapter.timeout == settings.HTTP_TIMEOUT
    assert adapter.max_retries.total == settings.HTTP_RETRIES
    assert adapter.max_retries.status_forcelist == (502, 503, 504)
    assert adapter.max_retries.parse_retry_after("3600") == settings.HTTP_RETRY_AFTER_MAX
    assert adapter.poolmanager.connection_pool_kw["maxsize"] == settings.HTTP_POOL_MAXSIZE
