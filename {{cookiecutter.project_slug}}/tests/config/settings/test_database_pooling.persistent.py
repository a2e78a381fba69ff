"""config/settings/database_pooling.py (persistent): connections kept per thread, health-checked."""

from django.db import connection
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.database.connection_demand import (
    connections_needed,
)

from tests.support.database import LIVE_DATABASE, terminate_sessions

pytestmark = LIVE_DATABASE


def test_connection_settings_of_this_mode(live_connection: None) -> None:
    config = connection.settings_dict
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert "pool" not in config["OPTIONS"]


def test_connection_reuse_follows_conn_max_age(live_connection: None) -> None:
    connection.ensure_connection()
    raw = connection.connection
    connection.close_if_unusable_or_obsolete()  # what Django runs when a request ends
    assert connection.connection is raw, "a persistent connection survives the request"
    connection.close()
    kept = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 0
    try:
        connection.ensure_connection()
        connection.close_if_unusable_or_obsolete()
        assert connection.connection is None, "CONN_MAX_AGE=0 closes at the end of the request"
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = kept


def test_dead_connection_is_replaced_before_use(live_connection: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    raw = connection.connection
    connection.close_if_unusable_or_obsolete()  # end of request: kept
    assert terminate_sessions(str(connection.settings_dict["NAME"])) >= 1
    # Next request: the health check notices the dead connection and opens a new one.
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection is not raw


def test_connection_demand_counts_every_thread_of_every_copy(settings: Settings) -> None:
    """What core/database/checks.py holds against max_connections."""
    settings.WEB_INSTANCES, settings.WEB_WORKERS, settings.WEB_THREADS = 2, 3, 4
    settings.CELERY_WORKER_INSTANCES, settings.CELERY_WORKER_CONCURRENCY = 2, 5
    needed, how = connections_needed("default")
    assert needed == 2 * 3 * 4 + 2 * 5
    assert "3 workers x 4 threads" in how
