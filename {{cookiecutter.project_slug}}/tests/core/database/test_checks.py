"""core/database/checks.py: unsafe connection settings and too many connections are refused."""

from typing import Any

import pytest
from django.conf import settings
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core import process
from {{ cookiecutter.project_slug }}.core.database import checks as database
from {{ cookiecutter.project_slug }}.core.database import connection_demand

from tests.support.checks import ids


@pytest.fixture
def default_database(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Change one key of DATABASES['default'] for the test (restored after)."""
    config = settings.DATABASES["default"]

    def change(**changes: Any) -> None:
        for key, value in changes.items():
            monkeypatch.setitem(config, key, value)

    return change


def test_a_database_without_connect_timeout_is_refused(default_database: Any) -> None:
    options = settings.DATABASES["default"]["OPTIONS"]
    default_database(
        OPTIONS={key: value for key, value in options.items() if key != "connect_timeout"}
    )
    assert ids(database.check_connect_timeout(None)) == ["core.E003"]


def test_persistent_connections_with_the_pool_are_refused(default_database: Any) -> None:
    options = settings.DATABASES["default"]["OPTIONS"]
    default_database(CONN_MAX_AGE=60, OPTIONS={**options, "pool": {"max_size": 4}})
    assert ids(database.check_connection_reuse(None)) == ["core.E004"]


def test_persistent_connections_under_asgi_are_refused(
    default_database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    default_database(CONN_MAX_AGE=60)
    monkeypatch.setattr(process, "INTERFACE", "asgi")
    assert "core.E005" in ids(database.check_connection_reuse(None))
    monkeypatch.setattr(process, "INTERFACE", "wsgi")
    assert "core.E005" not in ids(database.check_connection_reuse(None))


def test_pgbouncer_with_server_side_cursors_is_refused(default_database: Any) -> None:
    default_database(PORT=str(database.PGBOUNCER_PORT), DISABLE_SERVER_SIDE_CURSORS=False)
    assert ids(database.check_pgbouncer_cursors(None)) == ["core.E006"]


@pytest.mark.django_db
def test_session_timeouts_not_stored_are_reported(settings: Settings) -> None:
    settings.DATABASE_SESSION_TIMEOUTS = {
        "statement_timeout": 1234,
        "idle_in_transaction_session_timeout": 60_000,
    }
    messages = database.check_session_timeouts_stored(None, databases=["default"])
    assert ids(messages) == ["core.W002"]
    assert "found {'statement_timeout': '30000'}" in messages[0].msg
    assert "db_apply_timeouts" in str(messages[0].hint)
    assert database.check_session_timeouts_stored(None, databases=None) == []


@pytest.mark.django_db
def test_more_connections_than_postgresql_accepts_are_refused(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ENVIRONMENT = "production"
    accepted = database.connections_accepted("default")
    needed, how = connection_demand.connections_needed("default")
    assert 0 < needed <= accepted, how
    # A PostgreSQL that accepts one connection fewer than the service may open.
    reserve = database.RESERVED_FOR_OPERATORS + accepted - needed + 1
    monkeypatch.setattr(database, "RESERVED_FOR_OPERATORS", reserve)
    messages = database.check_connection_budget(None, databases=["default"])
    assert ids(messages) == ["core.E014"]
    assert f"may open {needed} connections" in messages[0].msg
    assert how in messages[0].msg
    settings.ENVIRONMENT = "local"  # a laptop's numbers are not the server's
    assert database.check_connection_budget(None, databases=["default"]) == []
