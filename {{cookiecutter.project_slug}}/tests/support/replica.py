"""The streaming replica `make services` runs, as a database alias of the test run.

How a test finds it: TEST_REPLICA_URL, which the Makefile exports for every
target (`make services` starts the replica, scripts/replica.py; where the
project uses PgBouncer, the URL is the replicas' own pool in front of it). A
test that needs it and cannot reach it fails naming `make services`; it is
never skipped.

The replica copies the primary's test database by itself (the CREATE DATABASE
and the migrations arrive through WAL), so nothing is created on it and
Django's ``TEST: MIRROR`` (which would read through the primary's connection
and hide every lag) is not used: the alias is added for the test and removed
after it, and tests write only through the primary (the flush after a
transactional test runs there). Pausing replay is global to the replica, which
every test run on the machine shares: a lock file serialises the tests that
use it, and each starts with replay resumed and caught up with the primary.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.database import replica_health
from {{ cookiecutter.project_slug }}.core.database.replica_health import position

from tests.support.database import other_session

VARIABLE = "TEST_REPLICA_URL"
ALIAS = "replica_1"
DATABASE_PACKAGE = "{{ cookiecutter.project_slug }}.core.database"
ROUTER = f"{DATABASE_PACKAGE}.router.ReplicaRouter"
MIDDLEWARE = f"{DATABASE_PACKAGE}.read_your_writes.ReadYourWritesMiddleware"
# Longest wait for the lock and for replay to catch up (a busy shared machine).
WAIT_SECONDS = 60.0


def replica_url() -> str:
    url = os.environ.get(VARIABLE, "")
    if not url:
        pytest.fail(
            f"{VARIABLE} is not set: run the tests with make test (make services starts the "
            "streaming replica on 127.0.0.1 and the Makefile sets it)."
        )
    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.Error as error:
        pytest.fail(
            f"The replica at {VARIABLE}={url} is not reachable ({error}): run make services."
        )
    return url


@contextmanager
def replica_lock(url: str) -> Iterator[None]:
    """One test at a time on a replica, across processes and runs (pausing replay is global).

    Keyed by the replica's own port (REPLICA_PORT, which the Makefile exports), not
    the URL's: a PgBouncer in front (6433) and a direct URL reach the same replica.
    In /tmp whatever TMPDIR says: runs with temporary folders of their own (the
    template's suite gives each generated project one) share the replica too.
    Read-only, so a lock file another user created still locks.
    """
    parts = urlsplit(url)
    port = os.environ.get("REPLICA_PORT") or parts.port
    path = Path("/tmp") / f"replica-tests-{parts.hostname}-{port}.lock"  # noqa: S108 (machine-wide)
    descriptor = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(f"Another test held the replica lock {path} for {WAIT_SECONDS} s.")
                time.sleep(0.05)
        yield
    finally:
        os.close(descriptor)


@dataclass
class Replica:
    """The replica of the test database, seen as a second server."""

    url: str
    alias: str = ALIAS

    def session(self) -> psycopg.Connection[Any]:
        # No prepared statements: the URL may be PgBouncer's, in transaction mode.
        return psycopg.connect(
            self.url, dbname="postgres", autocommit=True, connect_timeout=5, prepare_threshold=None
        )

    def pause(self) -> None:
        """Stop replaying the primary's WAL: from now on the replica lags, deterministically."""
        with self.session() as session:
            session.execute("SELECT pg_wal_replay_pause()")

    def resume(self) -> None:
        with self.session() as session:
            session.execute("SELECT pg_wal_replay_resume()")

    def catch_up(self) -> None:
        """Wait until the replica has replayed everything the primary has written so far."""
        with other_session(dbname="postgres", autocommit=True) as primary:
            row = primary.execute("SELECT pg_current_wal_lsn()::text").fetchone()
        target = position(str(row[0])) if row else 0
        deadline = time.monotonic() + WAIT_SECONDS
        with self.session() as session:
            while True:
                row = session.execute("SELECT pg_last_wal_replay_lsn()::text").fetchone()
                if row and row[0] and position(str(row[0])) >= target:
                    return
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"The replica did not catch up with the primary in {WAIT_SECONDS} s."
                    )
                time.sleep(0.01)


def database_url(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def allow_in_this_test(alias: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the running Django test case connect to ``alias``, added after it started.

    Django's test case refuses connections to aliases outside its ``databases``
    (a patched ensure_connection closing over the case's class). Naming the
    alias in ``django_db(databases=...)`` instead would have the test runner
    create and flush a database on the read-only replica.
    """
    patched = BaseDatabaseWrapper.ensure_connection
    for cell in patched.__closure__ or ():
        case = cell.cell_contents
        if isinstance(case, type) and hasattr(case, "databases"):
            monkeypatch.setattr(case, "databases", {*case.databases, alias})


@contextmanager
def replica_alias(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, url: str, alias: str = ALIAS
) -> Iterator[None]:
    """``alias`` as the settings would build it from DATABASE_REPLICA_URLS, for one test.

    On the primary's test database (its name on the replica too), with the
    router and the read-your-writes middleware, as a project with replicas runs.
    """
    # Imported here: a plugin module must not read settings before the test settings load.
    from config.settings.database_replicas import replica_database

    primary = connections["default"].settings_dict
    config = replica_database(database_url(url, str(primary["NAME"])), dict(primary))
    connections.settings[alias] = connections.configure_settings(
        {"default": primary, alias: config}
    )[alias]
    django_settings.DATABASES[alias] = config  # in place: overriding DATABASES warns
    allow_in_this_test(alias, monkeypatch)
    # Lag is measured as the time since the last replayed transaction, an upper bound
    # that grows on a quiet primary: a paused replica must stay in use unless a test
    # lowers this.
    settings.DATABASE_REPLICA_MAX_LAG = 60
    settings.DATABASE_REPLICAS = [alias]
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.MIDDLEWARE = [settings.MIDDLEWARE[0], MIDDLEWARE, *settings.MIDDLEWARE[1:]]
    replica_health.forget()
    try:
        yield
    finally:
        replica_health.forget()
        each = connections[alias]
        each.close()
        close_pool = getattr(each, "close_pool", None)
        if close_pool is not None:
            close_pool()
        del connections[alias]
        connections.settings.pop(alias, None)
        django_settings.DATABASES.pop(alias, None)


@pytest.fixture
def replica(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Replica]:
    """The real streaming replica as alias ``replica_1``, caught up, replay resumed after."""
    url = replica_url()
    with replica_lock(url):
        found = Replica(url)
        found.resume()  # a test killed while replay was paused leaves it paused
        found.catch_up()
        with replica_alias(settings, monkeypatch, url):
            try:
                yield found
            finally:
                found.resume()
