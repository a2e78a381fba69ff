"""The deploy's release step: run once per deploy, before the new code takes traffic.

Run it as compose's ``release`` service, or as your platform's pre-deploy job
running ``python manage.py release`` (``make release`` locally).

It stores the application's session timeouts on the database (db_apply_timeouts),
then applies migrations under the migration policy (config/settings/migration_policy.py):
on a connection of its own, to PostgreSQL directly, whose session starts with a
short lock timeout and the migration statement timeout. libpq's ``options``
carry them at connection start, so they can never leak into another session;
PgBouncer refuses such a connection, which is the point: through transaction
pooling a session setting would apply to whichever client gets the server
connection next. Of DATABASE_MIGRATION_URL only the host, port, name, user and
password are used; its query parameters (``sslmode`` ...) are ignored.

An atomic migration that was not granted its lock in time is rolled back whole
(it runs in one transaction) and the release tries again after a growing wait;
the migrations already applied stay applied. A non-atomic migration
(``atomic = False``, such as ``AddIndexConcurrently``) is not rolled back: a
``CREATE INDEX CONCURRENTLY`` that gives up on its lock timeout leaves an
INVALID index behind, and the retry then fails with "already exists". Drop the
invalid index (``DROP INDEX CONCURRENTLY ...``) and run the release again, or
give such a migration a release step of its own.
"""

import copy
import time
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper


class Command(BaseCommand):
    help = "Store the session timeouts and apply migrations under the migration policy, retried."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["database"]
        verbosity = options["verbosity"]
        call_command("db_apply_timeouts", database=alias, verbosity=verbosity)
        connection = connections[alias]
        saved = copy.deepcopy(connection.settings_dict)
        _close(connection)
        connection.settings_dict.update(migration_connection(saved))
        try:
            self.migrate_with_retries(alias, verbosity)
        finally:
            _close(connection)
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)

    def migrate_with_retries(self, alias: str, verbosity: int) -> None:
        attempts: int = settings.DATABASE_MIGRATION_ATTEMPTS
        delay: float = settings.DATABASE_MIGRATION_RETRY_DELAY
        for attempt in range(1, attempts + 1):
            try:
                call_command("migrate", database=alias, interactive=False, verbosity=verbosity)
            except OperationalError as error:
                if isinstance(error.__cause__, psycopg.errors.LockNotAvailable):
                    if attempt == attempts:
                        raise CommandError(
                            f"A migration was not granted its lock within "
                            f"{settings.DATABASE_MIGRATION_SESSION['lock_timeout']} ms, "
                            f"{attempts} times: a long transaction holds the table. Find it "
                            "in pg_stat_activity, then run the release again (migrations "
                            "applied so far stay applied)."
                        ) from error
                    self.stderr.write(
                        f"Attempt {attempt} of {attempts}: a lock was not granted in time "
                        f"({error.__cause__}); trying again in {delay:g} s."
                    )
                    _close(connections[alias])
                    time.sleep(delay)
                    delay *= 2
                    continue
                if "options" in str(error):
                    raise CommandError(
                        "The database refused the migration session's settings (libpq "
                        f"options): {error}. Set DATABASE_MIGRATION_URL to PostgreSQL itself, "
                        "not PgBouncer (config/settings/migration_policy.py)."
                    ) from error
                raise
            return


def migration_connection(database: dict[str, Any]) -> dict[str, Any]:
    """The settings of the migration session: its URL, no pool, the policy's timeouts."""
    where: dict[str, Any] = {}
    if settings.DATABASE_MIGRATION_URL:
        parts = urlsplit(settings.DATABASE_MIGRATION_URL)
        where = {
            "HOST": parts.hostname,
            "PORT": parts.port or 5432,
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
        }
    session = " ".join(
        f"-c {parameter}={int(milliseconds)}"
        for parameter, milliseconds in settings.DATABASE_MIGRATION_SESSION.items()
    )
    # One session for the whole release: no pool, not kept beyond it.
    pooled_options = {key: value for key, value in database["OPTIONS"].items() if key != "pool"}
    return {
        **where,
        "CONN_MAX_AGE": 0,
        "OPTIONS": {**pooled_options, "options": session},
    }


def _close(connection: BaseDatabaseWrapper) -> None:
    connection.close()
    close_pool = getattr(connection, "close_pool", None)  # only the pooled backend has one
    if close_pool is not None:
        close_pool()
