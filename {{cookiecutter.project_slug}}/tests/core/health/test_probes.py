"""Liveness, readiness and /health/: up or down for anyone, which dependency only with the token."""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.health import probes as health

from tests.support.caches import cache_pointed_at
from tests.support.loopback import HOST, closed_port, silent_listener, silent_peer

TOKEN = "a-health-token-for-the-tests"


@pytest.fixture(autouse=True)
def health_token(settings: Settings) -> None:
    settings.HEALTH_TOKEN = TOKEN


@pytest.fixture(autouse=True)
def fresh_broker_results() -> Iterator[None]:
    """No broker result reused from another test."""
    health._broker_results.clear()
    yield
    health._broker_results.clear()


def redis_server() -> str:
    """host:port of the cache's Redis, as its breaker is named."""
    location = str(django_settings.CACHES["default"]["LOCATION"])
    return location.removeprefix("redis://").partition("/")[0]


def get(client: Client, path: str, **headers: str) -> Any:
    return client.get(path, headers={"X-Health-Token": TOKEN, **headers})


@pytest.mark.django_db
def test_healthy(client: Client) -> None:
    response = get(client, "/health/")
    assert response.status_code == 200
    body = response.json()
    assert body.pop("breakers")["cache"][redis_server()] == "closed"
    assert body == {
        "status": "ok",
        "failing": [],
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/health/", "/health/ready"])
def test_anonymous_callers_learn_up_or_down_only(client: Client, path: str) -> None:
    assert client.get(path).json() == {"status": "ok"}
    assert get(client, path, **{"X-Health-Token": "wrong"}).json() == {"status": "ok"}


@pytest.mark.django_db
def test_no_details_for_anyone_without_a_configured_token(
    client: Client, settings: Settings
) -> None:
    settings.HEALTH_TOKEN = ""
    assert get(client, "/health/", **{"X-Health-Token": ""}).json() == {"status": "ok"}


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_refused")
def test_redis_down_fails_health_but_not_readiness(client: Client) -> None:
    started = time.monotonic()
    response = get(client, "/health/")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"].startswith("error: ")
    assert elapsed < 5, "the probe must be bounded by the socket timeouts"
    ready = get(client, "/health/ready")
    assert ready.status_code == 200, "the cache absorbs a Redis outage: keep serving"
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_a_silent_redis_is_bounded_by_the_socket_timeouts(
    client: Client, settings: Settings
) -> None:
    with silent_listener() as port:
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": f"redis://{HOST}:{port}/0"}
        }
        started = time.monotonic()
        response = get(client, "/health/")
        elapsed = time.monotonic() - started
    assert response.json()["failing"] == ["cache"]
    assert elapsed < 2.5, "0.5 s connect and read timeouts, not the listener's lifetime"


@pytest.mark.django_db
def test_an_open_cache_breaker_is_reported_and_keeps_readiness(
    client: Client, settings: Settings
) -> None:
    with silent_peer() as peer:
        cache_pointed_at(settings, peer.port, socket_timeout=0.2)
        cache.get("anything")  # a request met the silent Redis: the breaker opened
        response = get(client, "/health/")  # its Redis probe fails at once (test_breaker.py)
        ready = get(client, "/health/ready")
    body = response.json()
    assert body["breakers"]["cache"][f"{HOST}:{peer.port}"] == "open"
    assert (body["failing"], body["checks"]["cache"]) == (["cache"], "error: CacheCircuitOpenError")
    assert ready.status_code == 200, "readiness does not depend on the cache"


@pytest.mark.django_db
def test_broker_down_fails_readiness(client: Client, settings: Settings) -> None:
    scheme = "{{ 'redis://' if cookiecutter.celery_broker == 'redis' else 'amqp://guest:guest@' }}"
    settings.CELERY_BROKER_URL = f"{scheme}{HOST}:{closed_port()}/0"
    started = time.monotonic()
    response = get(client, "/health/ready")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "error: OperationalError"}
    assert elapsed < 3, "the broker probe must not retry"


@pytest.mark.django_db
def test_the_broker_is_asked_once_per_interval(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    connects: list[float] = []
    real_connect = health._connect_to_broker

    def counted() -> None:
        connects.append(time.monotonic())
        real_connect()

    monkeypatch.setattr(health, "_connect_to_broker", counted)
    for _ in range(5):
        assert client.get("/health/ready").status_code == 200
    assert len(connects) == 1, "probes every few seconds must not open a connection each"


def _disconnect() -> None:
    """Drop the connection, and the pool if there is one, so the next use reconnects."""
    connection.close()
    close_pool = getattr(connection, "close_pool", None)  # only the pooled backend has one
    if close_pool is not None:
        close_pool()


@pytest.mark.django_db(transaction=True)
def test_database_down_fails_readiness_but_not_liveness(client: Client) -> None:
    real_port = connection.settings_dict["PORT"]
    _disconnect()
    connection.settings_dict["PORT"] = closed_port()
    try:
        ready = get(client, "/health/ready")
        live = get(client, "/health/live")
    finally:
        _disconnect()
        connection.settings_dict["PORT"] = real_port
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": "error: OperationalError", "broker": "ok"}
    assert live.status_code == 200


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
@pytest.mark.django_db
def test_probes_answer_whatever_the_host_and_scheme(
    client: Client, settings: Settings, path: str
) -> None:
    """An orchestrator probes the process's own address over plain HTTP."""
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(path, headers={"Host": "10.0.3.7:8000"})
    assert response.status_code == 200, response.content
    assert client.get("/health/", headers={"Host": "10.0.3.7:8000"}).status_code == 400


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
@pytest.mark.django_db
def test_a_probe_path_reached_through_a_proxy_is_no_probe(
    client: Client, path: str, django_assert_num_queries: Any
) -> None:
    """The Ingress routes every path: what it forwards (X-Forwarded-For) runs no probe."""
    with django_assert_num_queries(0):
        response = client.get(path, headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 404


def test_only_get_is_allowed_on_health(client: Client) -> None:
    assert client.post("/health/").status_code == 405
