"""/health/ answers 200 when PostgreSQL, Redis and the broker answer, 503 naming what fails."""

import time

import pytest
from django.db import connection
from django.test import Client
from pytest_django import Settings

from tests.support.loopback import HOST, closed_port


@pytest.mark.django_db
def test_healthy(client: Client) -> None:
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "failing": [],
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_refused")
def test_cache_down_is_reported(client: Client) -> None:
    started = time.monotonic()
    response = client.get("/health/")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["cache"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("error: ")
    assert elapsed < 5, "the probe must be bounded by the socket timeouts"


@pytest.mark.django_db
def test_broker_down_is_reported(client: Client, settings: Settings) -> None:
    scheme = "{{ 'redis://' if cookiecutter.celery_broker == 'redis' else 'amqp://guest:guest@' }}"
    settings.CELERY_BROKER_URL = f"{scheme}{HOST}:{closed_port()}/0"
    started = time.monotonic()
    response = client.get("/health/")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["checks"] == {
        "database": "ok",
        "cache": "ok",
        "broker": "error: OperationalError",
    }
    assert elapsed < 3, "the broker probe must not retry"


def _disconnect() -> None:
    """Drop the connection, and the pool if there is one, so the next use reconnects."""
    connection.close()
    close_pool = getattr(connection, "close_pool", None)  # only the pooled backend has one
    if close_pool is not None:
        close_pool()


@pytest.mark.django_db(transaction=True)
def test_database_down_is_reported(client: Client) -> None:
    real_port = connection.settings_dict["PORT"]
    _disconnect()
    connection.settings_dict["PORT"] = closed_port()
    try:
        response = client.get("/health/")
    finally:
        _disconnect()
        connection.settings_dict["PORT"] = real_port
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"] == {"database": "error: OperationalError", "cache": "ok", "broker": "ok"}


def test_only_get_is_allowed(client: Client) -> None:
    assert client.post("/health/").status_code == 405
