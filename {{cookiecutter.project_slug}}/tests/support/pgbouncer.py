"""Let the suite create and drop its test database through PgBouncer, run after run.

Why: PgBouncer keeps idle server connections to test_<name> after the tests
close theirs, and PostgreSQL refuses to drop a database that has connections
("being accessed by other users"), so the next run would fail at setup. Before
setup and before teardown, the admin console's KILL closes those server
connections and RESUME lets new clients in again.
"""

from collections.abc import Iterator

import pytest
from django.db import connections
from pytest_django import DjangoDbBlocker

from {{ cookiecutter.project_slug }}.core.database.timeouts import (
    pgbouncer_admin,
)


def release_server_connections(database: str) -> None:
    """Close PgBouncer's server connections to one database (admin console).

    The console db_apply_timeouts uses: PGBOUNCER_ADMIN_URL when set (compose's
    PgBouncer, whose admin user is not the database's), else DATABASE_URL's role.
    """
    with pgbouncer_admin(connections["default"].settings_dict) as admin:
        known = {row[0] for row in admin.execute("SHOW DATABASES").fetchall()}
        if database in known:
            admin.execute(f"KILL {database}")
            admin.execute(f"RESUME {database}")


def _test_database_name() -> str:
    """The name pytest-django is about to create (settings still hold the base name)."""
    settings_dict = connections["default"].settings_dict
    return str(settings_dict["TEST"].get("NAME") or f"test_{settings_dict['NAME']}")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Runs before the test database is created: free a leftover one from a crashed run."""
    release_server_connections(_test_database_name())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Wraps pytest-django's setup; our teardown runs before its DROP DATABASE."""
    test_database = str(connections["default"].settings_dict["NAME"])  # already test_<name>
    yield
    with django_db_blocker.unblock():
        connections.close_all()
    release_server_connections(test_database)
