"""The test database outside a test transaction, and seen from outside the connection under test."""

import psycopg
import pytest
from django.db import connection

# For tests that need the test database as a request sees it (autocommit, no
# wrapping transaction) and write nothing of their own to flush: pytest-django
# sets the test database up for them, and the flush after each one empties
# only the tables of `core` (there are none), not every table.
CORE_APP = "{{ cookiecutter.project_slug }}.core"
LIVE_DATABASE = pytest.mark.django_db(transaction=True, available_apps=[CORE_APP])


def terminate_sessions(database: str) -> int:
    """End every session on `database` (as a restart or a failover would); returns how many."""
    config = connection.settings_dict
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"],
        user=config["USER"],
        password=config["PASSWORD"],
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        ).fetchall()
    return len(rows)
