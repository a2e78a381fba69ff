"""config/settings/database_pooling.py (PgBouncer): kept client connections, health-checked."""

import contextlib
import re
from collections.abc import Iterator

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.database.checks import check_connection_budget
from {{ cookiecutter.project_slug }}.core.database.connection_demand import (
    connections_needed,
)

from config.env import BASE_DIR

from tests.support.database import LIVE_DATABASE, other_session
from tests.support.pgbouncer import release_server_connections

pytestmark = LIVE_DATABASE


def test_connection_settings_of_this_mode(live_connection: None) -> None:
    config = connection.settings_dict
    assert config["PORT"] == 6432
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
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
    # Through PgBouncer the client side is what Django holds: KILL drops it.
    release_server_connections(str(connection.settings_dict["NAME"]))
    # Next request: the health check notices the dead connection and opens a new one.
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection is not raw


@contextlib.contextmanager
def server_connection_taken() -> Iterator[None]:
    """Another client holds a server connection in a transaction through PgBouncer.

    It gets the server connection released last (PgBouncer reuses the most
    recent): the one that served this client's previous transaction.
    """
    with other_session() as other:
        other.execute("SELECT 1")  # a transaction is open: its server connection is held
        yield


def test_iterator_reads_every_row_through_pgbouncer(live_connection: None) -> None:
    """The shipped settings: another server connection answers halfway, and no row is lost."""
    rows = MigrationRecorder.Migration.objects.order_by("id").values_list("name", flat=True)
    everything = list(rows)
    assert len(everything) > 1
    names = rows.iterator(chunk_size=1)
    read = [next(names)]
    with server_connection_taken():
        read += list(names)
    assert read == everything


def test_a_cursor_kept_across_transactions_is_lost_through_pgbouncer(live_connection: None) -> None:
    """What core.E006 prevents: a server-side cursor as Django declares one outside a transaction
    (WITH HOLD) lives on one server connection, and the next FETCH may be sent to another."""
    with other_session(autocommit=True) as client:
        cursor = client.cursor(name="held", withhold=True)
        try:
            cursor.execute("SELECT name FROM django_migrations ORDER BY id")
            assert cursor.fetchone() is not None
            with (
                server_connection_taken(),
                pytest.raises(
                    psycopg.errors.InvalidCursorName, match='cursor "held" does not exist'
                ),
            ):
                cursor.fetchone()
        finally:
            client.close()  # first: the cursor then closes without asking the server
            cursor.close()


def show_statement_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (value,) = cursor.fetchone()
    return str(value)


def test_new_timeouts_hold_through_pgbouncer_at_once(
    live_connection: None, settings: Settings
) -> None:
    """PgBouncer reuses server connections that started with the old values: RECONNECT."""
    assert show_statement_timeout() == "30s"  # a server connection, now idle in PgBouncer
    timeouts = dict(settings.DATABASE_SESSION_TIMEOUTS)
    settings.DATABASE_SESSION_TIMEOUTS = {**timeouts, "statement_timeout": 31_000}
    try:
        call_command("db_apply_timeouts", verbosity=0)
        assert show_statement_timeout() == "31s", "right after, not within server_lifetime"
    finally:
        settings.DATABASE_SESSION_TIMEOUTS = timeouts
        call_command("db_apply_timeouts", verbosity=0)
    assert show_statement_timeout() == "30s"


def test_an_admin_console_that_refuses_is_named(live_connection: None, settings: Settings) -> None:
    settings.PGBOUNCER_ADMIN_URL = "postgres://nobody@127.0.0.1:6432/pgbouncer"
    with pytest.raises(CommandError, match=r"(?s)refused RECONNECT.*admin_users"):
        call_command("db_apply_timeouts", verbosity=0)


def test_without_the_admin_console_the_budget_check_warns_and_lets_the_pod_start(
    live_connection: None, settings: Settings
) -> None:
    """A pod's `migrate --check` (the init containers of deploy/kubernetes) has no
    PGBOUNCER_ADMIN_URL, and its role is not one of PgBouncer's admin_users: the check
    that reads the pool sizes there warns, instead of failing every database check."""
    settings.ENVIRONMENT = "production"
    settings.PGBOUNCER_ADMIN_URL = "postgres://nobody@127.0.0.1:6432/pgbouncer"
    (message,) = check_connection_budget(None, databases=["default"])
    assert message.id == "core.W014"
    assert "admin console" in message.msg


def test_connection_demand_is_pgbouncers_server_pool(
    live_connection: None, settings: Settings
) -> None:
    """However many copies connect, PostgreSQL sees PgBouncer's pool (deploy/pgbouncer.ini)."""
    shipped = (BASE_DIR / "deploy" / "pgbouncer.ini").read_text()
    sizes = {
        key: int(value)
        for key, value in re.findall(
            r"^(default_pool_size|reserve_pool_size) = (\d+)$", shipped, re.MULTILINE
        )
    }
    settings.WEB_INSTANCES = settings.CELERY_WORKER_INSTANCES = 50
    needed, how = connections_needed("default")
    assert needed == sizes["default_pool_size"] + sizes["reserve_pool_size"]
    assert "default_pool_size" in how

    # Two PgBouncers (deploy/kubernetes runs two) open two server pools.
    settings.PGBOUNCER_INSTANCES = 2
    doubled, how = connections_needed("default")
    assert doubled == 2 * needed
    assert how.startswith("PGBOUNCER_INSTANCES 2 x")


def test_migrations_are_refused_through_pgbouncer(
    live_connection: None, settings: Settings
) -> None:
    """Transaction pooling cannot carry the migration session's settings: release says so."""
    config = connection.settings_dict
    settings.DATABASE_MIGRATION_URL = (
        f"postgres://{config['USER']}@{config['HOST']}:{config['PORT']}/{config['NAME']}"
    )
    with pytest.raises(CommandError, match="Set DATABASE_MIGRATION_URL to PostgreSQL itself"):
        call_command("release", verbosity=0)
