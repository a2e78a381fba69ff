"""Fixtures shared by the whole suite. Tests use the real PostgreSQL and Redis."""

import pytest
from django.core.management import call_command
from django.db import connections
from pytest_django import DjangoDbBlocker
{%- if cookiecutter.database_pooling == 'pgbouncer' %}

pytest_plugins = ["tests.pgbouncer"]
{%- endif %}


def close_database_connections() -> None:
    """Close every connection (and pool), so the next query opens a fresh session."""
    for connection in connections.all():
        connection.close()
        close_pool = getattr(connection, "close_pool", None)  # only the pooled backend has one
        if close_pool is not None:
            close_pool()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    """The test database gets the same server-side timeouts as a migrated one.

    `make migrate` runs db_apply_timeouts; here it runs once the test database
    exists. The sessions opened before it (migrations) are closed so every test
    runs in a session that started with the timeouts.
    """
    with django_db_blocker.unblock():
        call_command("db_apply_timeouts", verbosity=0)
        close_database_connections()
{%- if cookiecutter.database_pooling == 'pgbouncer' %}
    # PgBouncer keeps its server sessions open: replace them too. Imported here
    # because tests.pgbouncer is a plugin that pytest_plugins registers first.
    from tests.pgbouncer import release_server_connections

    release_server_connections(str(connections["default"].settings_dict["NAME"]))
{%- endif %}
