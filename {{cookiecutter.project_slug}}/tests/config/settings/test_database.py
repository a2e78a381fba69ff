"""config/settings/database.py: the connection settings hold on the real connection path.

Read-only tests use the test database in autocommit, as a request sees it.
What differs between pooling modes (reuse, health checks, pool sizes) is
proven in test_database_pooling.py.
"""

import contextlib
import copy
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DatabaseError, OperationalError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from config import env
from config.settings import database

from tests.support.database import LIVE_DATABASE, close_database_connections, other_session
from tests.support.loopback import closed_port, silent_listener

pytestmark = LIVE_DATABASE


def test_libpq_receives_the_connect_timeout(live_connection: None) -> None:
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 5
    connection.ensure_connection()
    # What libpq really received, read back from the open connection.
    assert connection.connection.info.get_parameters()["connect_timeout"] == "5"


def test_session_timeouts_apply_on_the_real_connection(live_connection: None) -> None:
    assert settings.DATABASE_SESSION_TIMEOUTS == {
        "statement_timeout": 30_000,
        "lock_timeout": 10_000,
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


@contextlib.contextmanager
def shortened_timeouts(monkeypatch: pytest.MonkeyPatch, **milliseconds: int) -> Iterator[None]:
    """The project's session timeouts, some shortened, stored as db_apply_timeouts stores them.

    Only timeouts the settings declare are shortened: one the project stopped
    setting stays unset, and its test fails. Sessions opened afterwards start
    with the new values; at the end the shipped values are stored again.
    """
    timeouts = settings.DATABASE_SESSION_TIMEOUTS
    shortened = {name: milliseconds.get(name, value) for name, value in timeouts.items()}
    monkeypatch.setattr(settings, "DATABASE_SESSION_TIMEOUTS", shortened)
    call_command("db_apply_timeouts", verbosity=0)
    close_database_connections()
    try:
        yield
    finally:
        monkeypatch.undo()
        call_command("db_apply_timeouts", verbosity=0)
        close_database_connections()


@pytest.fixture
def short_lock_timeout(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with shortened_timeouts(monkeypatch, lock_timeout=300):
        yield


@pytest.fixture
def short_idle_in_transaction_timeout(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with shortened_timeouts(monkeypatch, idle_in_transaction_session_timeout=300):
        yield


def test_a_statement_waiting_for_a_lock_gives_up(
    live_connection: None, short_lock_timeout: None
) -> None:
    with other_session() as holder:
        # A long transaction (or a migration) holds the table.
        holder.execute("LOCK TABLE django_migrations IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        with pytest.raises(OperationalError, match="lock timeout"), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_migrations")
        assert time.monotonic() - started < 2


def _stay_idle_in_a_transaction() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        time.sleep(1.0)  # a client stuck between two statements of one transaction
        cursor.execute("SELECT 1")


def test_a_session_left_idle_in_a_transaction_is_ended(
    live_connection: None, short_idle_in_transaction_timeout: None
) -> None:
    """The stored idle-in-transaction timeout (300 ms here) ends it, on the real connection path."""
    started = time.monotonic()
    with pytest.raises(DatabaseError, match="idle-in-transaction timeout"):
        _stay_idle_in_a_transaction()
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
    assert _seconds_to_fail(_wrapper_to(closed_port(), "closed_port")) < 3.5


def test_silent_server_fails_within_the_connect_timeout(live_connection: None) -> None:
    """A server that accepts TCP but never answers: without connect_timeout, a hang."""
    with silent_listener() as port:
        elapsed = _seconds_to_fail(_wrapper_to(port, "silent_server"))
    assert 0.9 < elapsed < 4.5, "bounded by the timeout, not refused at once"


def test_pool_with_persistent_connections_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_problems", [])
    pooled = {"default": {"CONN_MAX_AGE": 60, "OPTIONS": {"pool": {"max_size": 4}}}}
    database.refuse_pool_with_persistent_connections(pooled)
    with pytest.raises(ImproperlyConfigured, match=r"set DATABASE_CONN_MAX_AGE=0, or remove"):
        env.check()
    database.refuse_pool_with_persistent_connections(
        {"default": {"CONN_MAX_AGE": 0, "OPTIONS": {"pool": True}}}
    )
    database.refuse_pool_with_persistent_connections(
        {"default": {"CONN_MAX_AGE": 60, "OPTIONS": {}}}
    )
    env.check()
