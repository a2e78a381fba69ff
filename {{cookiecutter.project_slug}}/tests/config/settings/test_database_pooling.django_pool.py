"""config/settings/database_pooling.py (django_pool): one psycopg pool per process."""

import importlib
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from prometheus_client import REGISTRY
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.database.connection_demand import (
    connections_needed,
)
from {{ cookiecutter.project_slug }}.core.telemetry.middleware import (
    RequestTelemetryMiddleware,
)

from config import env
from config.settings import database, database_pooling

from tests.support.database import LIVE_DATABASE, terminate_sessions

pytestmark = LIVE_DATABASE

# The pooled backend; django-stubs does not declare its pool and close_pool().
pooled_connection: Any = connection


def test_connection_settings_of_this_mode(live_connection: None) -> None:
    config = connection.settings_dict
    assert config["CONN_MAX_AGE"] == 0
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert config["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 2}
    pool = pooled_connection.pool
    assert (pool.min_size, pool.max_size, pool.timeout) == (1, 4, 2)


def test_connection_goes_back_to_the_pool(live_connection: None) -> None:
    connection.ensure_connection()
    raw = connection.connection
    connection.close_if_unusable_or_obsolete()  # what Django runs when a request ends
    # CONN_MAX_AGE=0: the connection goes back to the pool, which keeps it open.
    assert connection.connection is None
    assert not raw.closed
    assert pooled_connection.pool.get_stats()["pool_available"] >= 1


def test_dead_connection_is_replaced_before_use(live_connection: None) -> None:
    # A fresh pool holding one connection: with several dead ones, the pool's
    # back-off between checks (1 s, 2 s, ...) would outlast the test's pool timeout.
    pooled_connection.close_pool()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    raw = connection.connection
    connection.close()  # back to the pool, still open
    assert terminate_sessions(str(connection.settings_dict["NAME"])) >= 1
    # Next request: the pool's check notices the dead connection and opens a new one.
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection is not raw


def reload_database_settings() -> None:
    """Build the database settings again, as a new process would, and check the environment."""
    importlib.reload(database_pooling)
    importlib.reload(database)
    env.check()


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DATABASE_CONN_MAX_AGE": "60"}, r"DATABASE_CONN_MAX_AGE='60' is invalid \(DATABASES"),
        (
            {"DATABASE_POOL_MIN_SIZE": "5", "DATABASE_POOL_MAX_SIZE": "2"},
            r"DATABASE_POOL_MIN_SIZE='5' is invalid \(above DATABASE_POOL_MAX_SIZE=2\)",
        ),
    ],
)
def test_bad_pool_settings_stop_start_up(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    try:
        with pytest.raises(ImproperlyConfigured, match=message):
            reload_database_settings()
    finally:
        monkeypatch.undo()
        reload_database_settings()


def test_connection_demand_counts_each_process_pool_at_its_largest(settings: Settings) -> None:
    """What core/database/checks.py holds against max_connections."""
    settings.WEB_INSTANCES, settings.WEB_WORKERS, settings.WEB_THREADS = 2, 3, 16
    settings.CELERY_WORKER_INSTANCES, settings.CELERY_WORKER_CONCURRENCY = 2, 5
    settings.POOL_MIN_SIZE, settings.POOL_MAX_SIZE = 1, 4
    needed, how = connections_needed("default")
    # Threads beyond the pool's size wait for a connection: they open none.
    assert needed == 2 * 3 * 4 + 2 * 5 * 1
    assert "pool of 4" in how


def test_the_pool_is_reported_in_the_metrics(live_connection: None) -> None:
    """db_pool_connections (core/telemetry/metrics.py), set by the request middleware from the pool."""
    connection.ensure_connection()  # the pool open, as after any request that queried
    telemetry = RequestTelemetryMiddleware(lambda _request: HttpResponse())
    telemetry(RequestFactory().get("/"))  # any request: the middleware reads the pool's stats
    labels = {"alias": "default", "state": "open"}
    opened = REGISTRY.get_sample_value("db_pool_connections", labels)
    assert opened == pooled_connection.pool.get_stats()["pool_size"] >= 1
