"""config/settings/database.py: the connection settings hold on the real connection path.

Read-only tests use the test database in autocommit, as a request sees it,
through {{ 'PgBouncer' if cookiecutter.database_pooling == 'pgbouncer' else ('the pool' if cookiecutter.database_pooling == 'django_pool' else 'a direct connection') }}.
"""

import copy
import importlib
import socket
import time
from collections.abc import Iterator
from typing import Any

{% if cookiecutter.database_pooling != 'pgbouncer' -%}
import psycopg
{% endif -%}
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, OperationalError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from pytest_django import DjangoDbBlocker

from config.settings import database
{%- if cookiecutter.database_pooling == 'pgbouncer' %}

from tests.pgbouncer import release_server_connections
{%- endif %}

CLOSED_PORT = 1  # nothing listens on 127.0.0.1:1
{%- if cookiecutter.database_pooling == 'django_pool' %}
# The pooled backend; django-stubs does not declare its pool and close_pool().
pooled_connection: Any = connection
{%- endif %}


@pytest.fixture
def live_connection(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """The test database without a wrapping transaction; for tests that write nothing."""
    with django_db_blocker.unblock():
        try:
            yield
        finally:
            connection.close()


def test_connection_settings_of_this_mode(live_connection: None) -> None:
    config = connection.settings_dict
{%- if cookiecutter.database_pooling == 'pgbouncer' %}
    assert config["PORT"] == 6432
    assert config["CONN_MAX_AGE"] == 60
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert "pool" not in config["OPTIONS"]
{%- elif cookiecutter.database_pooling == 'django_pool' %}
    assert config["CONN_MAX_AGE"] == 0
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert config["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 2}
    pool = pooled_connection.pool
    assert (pool.min_size, pool.max_size, pool.timeout) == (1, 4, 2)
{%- else %}
    assert config["CONN_MAX_AGE"] == 60
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert "pool" not in config["OPTIONS"]
{%- endif %}
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["OPTIONS"]["connect_timeout"] == 5
    connection.ensure_connection()
    # What libpq really received, read back from the open connection.
    assert connection.connection.info.get_parameters()["connect_timeout"] == "5"


def test_connection_reuse_follows_conn_max_age(live_connection: None) -> None:
    connection.ensure_connection()
    raw = connection.connection
    connection.close_if_unusable_or_obsolete()  # what Django runs when a request ends
{%- if cookiecutter.database_pooling == 'django_pool' %}
    # CONN_MAX_AGE=0: the connection goes back to the pool, which keeps it open.
    assert connection.connection is None
    assert not raw.closed
    assert pooled_connection.pool.get_stats()["pool_available"] >= 1
{%- else %}
    assert connection.connection is raw, "a persistent connection survives the request"
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 0
    try:
        connection.ensure_connection()
        connection.close_if_unusable_or_obsolete()
        assert connection.connection is None, "CONN_MAX_AGE=0 closes at the end of the request"
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = settings.DATABASES["default"]["CONN_MAX_AGE"]
{%- endif %}


def _break_every_session(database_name: str) -> None:
    """End the sessions of the test database from outside, as a restart would."""
{%- if cookiecutter.database_pooling == 'pgbouncer' %}
    # Through PgBouncer the client side is what Django holds: KILL drops it.
    release_server_connections(database_name)
{%- else %}
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
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            [database_name],
        )
{%- endif %}


def test_dead_connection_is_replaced_before_use(live_connection: None) -> None:
{%- if cookiecutter.database_pooling == 'django_pool' %}
    # A fresh pool holding one connection: with several dead ones, the pool's
    # back-off between checks (1 s, 2 s, ...) would outlast the test's pool timeout.
    pooled_connection.close_pool()
{%- endif %}
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    raw = connection.connection
{%- if cookiecutter.database_pooling == 'django_pool' %}
    connection.close()  # back to the pool, still open
{%- else %}
    connection.close_if_unusable_or_obsolete()  # end of request: kept
{%- endif %}
    _break_every_session(str(connection.settings_dict["NAME"]))
    # Next request: the health check notices the dead connection and opens a new one.
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection is not raw


def test_session_timeouts_apply_on_the_real_connection(live_connection: None) -> None:
    assert settings.DATABASE_SESSION_TIMEOUTS == {
        "statement_timeout": 30_000,
        "idle_in_transaction_session_timeout": 60_000,
    }
    with connection.cursor() as cursor:
        for parameter, milliseconds in settings.DATABASE_SESSION_TIMEOUTS.items():
            cursor.execute(f"SHOW {parameter}")
            (shown,) = cursor.fetchone()
            cursor.execute(
                "SELECT %s::interval = %s * interval '1 millisecond'", [shown, milliseconds]
            )
            assert cursor.fetchone() == (True,), f"SHOW {parameter} = {shown}"
            # Stored on the database by db_apply_timeouts, not set by this session.
            cursor.execute("SELECT source FROM pg_settings WHERE name = %s", [parameter])
            assert cursor.fetchone() == ("database",)


def _sleep_past_a_statement_timeout() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        # A short timeout for this transaction only keeps the test fast.
        cursor.execute("SET LOCAL statement_timeout = '200ms'")
        cursor.execute("SELECT pg_sleep(5)")


@pytest.mark.django_db
def test_statement_longer_than_the_timeout_is_cancelled() -> None:
    started = time.monotonic()
    with pytest.raises(OperationalError, match="statement timeout"):
        _sleep_past_a_statement_timeout()
    assert time.monotonic() - started < 2


def _stay_idle_in_a_transaction_past_its_timeout() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL idle_in_transaction_session_timeout = '200ms'")
        time.sleep(0.6)  # a client stuck between two statements of one transaction
        cursor.execute("SELECT 1")


def test_transaction_left_idle_is_ended(live_connection: None) -> None:
    started = time.monotonic()
    with pytest.raises(DatabaseError, match="idle-in-transaction timeout"):
        _stay_idle_in_a_transaction_past_its_timeout()
    assert time.monotonic() - started < 3
    # Its locks are gone: a fresh session works.
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _wrapper_to(port: int, alias: str) -> BaseDatabaseWrapper:
    """A connection like the default one, to another port, with short bounds.

    connect_timeout 2 s is libpq's minimum. A pool waits for its own timeout
    instead (its workers keep retrying in the background): 1 s here.
    """
    settings_dict: dict[str, Any] = copy.deepcopy(connections["default"].settings_dict)
    settings_dict["PORT"] = port
    settings_dict["OPTIONS"]["connect_timeout"] = 2
    if "pool" in settings_dict["OPTIONS"]:
        settings_dict["OPTIONS"]["pool"] = {**settings_dict["OPTIONS"]["pool"], "timeout": 1}
    return type(connections["default"])(settings_dict, alias)


def _seconds_to_fail(wrapper: BaseDatabaseWrapper) -> float:
    started = time.monotonic()
    try:
        with pytest.raises(OperationalError):
            wrapper.ensure_connection()
    finally:
        wrapper.close()
        close_pool = getattr(wrapper, "close_pool", None)
        if close_pool is not None:
            close_pool()
    return time.monotonic() - started


def test_closed_port_fails_fast(live_connection: None) -> None:
    assert _seconds_to_fail(_wrapper_to(CLOSED_PORT, "closed_port")) < 3.5


def test_silent_server_fails_within_the_connect_timeout(live_connection: None) -> None:
    """A server that accepts TCP but never answers: without connect_timeout, a hang."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        elapsed = _seconds_to_fail(_wrapper_to(silent.getsockname()[1], "silent_server"))
    assert 0.9 < elapsed < 4.5, "bounded by the timeout, not refused at once"


def test_pool_with_persistent_connections_is_refused() -> None:
    pooled = {"default": {"CONN_MAX_AGE": 60, "OPTIONS": {"pool": {"max_size": 4}}}}
    with pytest.raises(ImproperlyConfigured, match=r"set DATABASE_CONN_MAX_AGE=0, or remove"):
        database.refuse_pool_with_persistent_connections(pooled)
    database.refuse_pool_with_persistent_connections(
        {"default": {"CONN_MAX_AGE": 0, "OPTIONS": {"pool": True}}}
    )
    database.refuse_pool_with_persistent_connections(
        {"default": {"CONN_MAX_AGE": 60, "OPTIONS": {}}}
    )
{%- if cookiecutter.database_pooling == 'django_pool' %}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DATABASE_CONN_MAX_AGE": "60"}, r"CONN_MAX_AGE=60\. The pool already reuses"),
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
            importlib.reload(database)
    finally:
        monkeypatch.undo()
        importlib.reload(database)
{%- endif %}


def test_asgi_entry_point_uses_no_persistent_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "60")  # what a WSGI process may use
    try:
        importlib.reload(importlib.import_module("config.asgi"))  # the uvicorn entry point
        # The settings an ASGI process builds after its entry point ran:
        assert importlib.reload(database).DATABASES["default"]["CONN_MAX_AGE"] == 0
    finally:
        monkeypatch.undo()
        importlib.reload(database)
