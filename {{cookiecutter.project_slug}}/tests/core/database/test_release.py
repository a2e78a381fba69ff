"""config/settings/migration_policy.py: migrations run once, under their own timeouts, retried.

`manage.py release` is driven here against the test database: a table locked
by a long transaction makes the migration session give up within its short
lock timeout and try again, instead of queueing every query behind it; and
`manage.py lintmigrations` (make check) refuses a migration that breaks a
rolling deploy.
"""

import io
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.backends.signals import connection_created

from tests.support.database import LIVE_DATABASE, other_session

QUICK_POLICY = {"lock_timeout": 200, "statement_timeout": 0}


@pytest.fixture
def quick_release(monkeypatch: pytest.MonkeyPatch) -> None:
    """A short lock timeout and waits, so a refused lock costs a test little time.

    The migration session reaches PostgreSQL directly: through PgBouncer it is refused.
    """
    monkeypatch.setattr(settings, "DATABASE_MIGRATION_SESSION", QUICK_POLICY)
    monkeypatch.setattr(settings, "DATABASE_MIGRATION_RETRY_DELAY", 0.1)
    if settings.DATABASE_POOLING == "pgbouncer":
        name = connection.settings_dict["NAME"]
        monkeypatch.setattr(
            settings, "DATABASE_MIGRATION_URL", f"postgres://postgres@127.0.0.1:5432/{name}"
        )


@pytest.fixture
def locked_migration_table() -> Iterator[psycopg.Connection[Any]]:
    """Another session holds django_migrations, as a long transaction holding a table would."""
    with other_session() as holder:
        holder.execute("LOCK TABLE django_migrations IN ACCESS EXCLUSIVE MODE")
        yield holder


def _release(monkeypatch: pytest.MonkeyPatch, attempts: int) -> str:
    monkeypatch.setattr(settings, "DATABASE_MIGRATION_ATTEMPTS", attempts)
    errors = io.StringIO()
    call_command("release", verbosity=0, stdout=io.StringIO(), stderr=errors)
    return errors.getvalue()


@LIVE_DATABASE
def test_migrations_run_in_a_session_with_the_policy(
    quick_release: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, str] = {}

    def read_session(connection: Any, **kwargs: Any) -> None:
        """What the new session started with, as PostgreSQL applies it."""
        with connection.connection.cursor() as cursor:
            for parameter in ("lock_timeout", "statement_timeout"):
                cursor.execute(f"SHOW {parameter}")
                seen[parameter] = cursor.fetchone()[0]

    connection_created.connect(read_session, dispatch_uid="read_session")
    try:
        _release(monkeypatch, attempts=1)
    finally:
        connection_created.disconnect(dispatch_uid="read_session")
    # Not the application's 10 s lock timeout and 30 s statement timeout.
    assert seen == {"lock_timeout": "200ms", "statement_timeout": "0"}
    # The application's sessions are untouched afterwards.
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("30s",)


@LIVE_DATABASE
def test_a_held_lock_is_given_up_quickly_and_retried(
    quick_release: None,
    locked_migration_table: psycopg.Connection[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The long transaction ends while the release waits between attempts.
    threading.Timer(0.5, locked_migration_table.rollback).start()
    started = time.monotonic()
    errors = _release(monkeypatch, attempts=5)
    assert "Attempt 1 of 5: a lock was not granted in time" in errors
    assert time.monotonic() - started < 5


@LIVE_DATABASE
def test_a_lock_that_stays_held_fails_the_release_clearly(
    quick_release: None,
    locked_migration_table: psycopg.Connection[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started = time.monotonic()
    with pytest.raises(CommandError, match="not granted its lock within 200 ms, 2 times"):
        _release(monkeypatch, attempts=2)
    # Two short lock waits and one pause, not the application's 10 s lock timeout twice.
    assert time.monotonic() - started < 3


@pytest.fixture
def users_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the users app's migrations, where a test adds one more."""
    # A module name of its own per test: Python caches imported migration modules.
    package = tmp_path / f"users_migrations_{tmp_path.name.replace('-', '_')}"
    shutil.copytree(Path(apps.get_app_config("users").path) / "migrations", package)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(settings, "MIGRATION_MODULES", {"users": package.name})
    return package


ADD_FIELD = """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("users", "0001_initial")]
    operations = [migrations.AddField("user", "nickname", {field})]
"""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "safe"),
    [
        # Old code still running inserts rows without the column: NOT NULL breaks it.
        ("models.CharField(max_length=30, default='')", False),
        # A database default (or NULL allowed) keeps old code's inserts working.
        ("models.CharField(max_length=30, db_default='')", True),
        ("models.CharField(max_length=30, null=True)", True),
    ],
)
def test_the_linter_refuses_a_migration_that_breaks_a_rolling_deploy(
    users_migrations: Path, field: str, safe: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    (users_migrations / "0002_nickname.py").write_text(ADD_FIELD.format(field=field))
    if safe:
        call_command("lintmigrations", "users", "0002")
        assert "(users, 0002_nickname)... OK" in capsys.readouterr().out
    else:
        with pytest.raises(SystemExit):
            call_command("lintmigrations", "users", "0002")
        assert "NOT NULL constraint on columns" in capsys.readouterr().out
