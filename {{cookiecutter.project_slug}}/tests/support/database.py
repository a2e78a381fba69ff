"""The test database outside a test transaction, and seen from outside the connection under test."""

from typing import Any

import psycopg
import pytest
from django.db import connection, connections

# For tests that need the test database as a request sees it (autocommit, no
# wrapping transaction) and write nothing of their own to flush: pytest-django
# sets the test database up for them, and the flush after each one empties
# only the tables of `core` (there are none), not every table.
CORE_APP = "{{ cookiecutter.project_slug }}.core"
LIVE_DATABASE = pytest.mark.django_db(transaction=True, available_apps=[CORE_APP])


def close_database_connections() -> None:
    """Close every connection (and pool), so the next query opens a fresh session."""
    for each in connections.all():
        each.close()
        close_pool = getattr(each, "close_pool", None)  # only the pooled backend has one
        if close_pool is not None:
            close_pool()


def other_session(
    *, dbname: str | None = None, autocommit: bool = False
) -> psycopg.Connection[Any]:
    """A session of its own, as another client opens one: on the test database, or `dbname`."""
    config = connection.settings_dict
    return psycopg.connect(
        host=config["HOST"],
        port=config["PORT"],
        user=config["USER"],
        password=config["PASSWORD"],
        dbname=dbname or config["NAME"],
        autocommit=autocommit,
        connect_timeout=5,
    )


def terminate_sessions(database: str) -> int:
    """End every session on `database` (as a restart or a failover would); returns how many."""
    with other_session(dbname="postgres", autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        ).fetchall()
    return len(rows)
