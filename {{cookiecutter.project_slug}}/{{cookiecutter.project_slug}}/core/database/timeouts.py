"""Store the statement and idle-in-transaction timeouts on the database itself.

Why on the database: a ``-c statement_timeout=...`` startup option never reaches
PostgreSQL through PgBouncer (it rejects or drops it), and ``SET`` on a pooled
server connection leaks to whoever gets it next. ``ALTER DATABASE ... SET``
makes every new session on that database start with the values, however it
connects. ``make migrate`` runs this; run it again after changing
DATABASE_STATEMENT_TIMEOUT or DATABASE_IDLE_IN_TRANSACTION_TIMEOUT.

Through PgBouncer, sessions are server connections that PgBouncer keeps open
and reuses (up to server_lifetime); their values are those of when they
started. So the command then asks PgBouncer's admin console to RECONNECT the
database: each server connection is replaced once it is released, and the new
values hold at once (PGBOUNCER_ADMIN_URL, config/settings/database_pooling.py).
"""

from typing import Any

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections


class Command(BaseCommand):
    help = "Set statement_timeout and idle_in_transaction_session_timeout on the database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        timeouts: dict[str, int] = settings.DATABASE_SESSION_TIMEOUTS
        with connection.cursor() as cursor:
            for parameter, milliseconds in timeouts.items():
                # Names come from settings, values are whole numbers: nothing to inject.
                cursor.execute(f"ALTER DATABASE {name} SET {parameter} = {int(milliseconds)}")
                if options["verbosity"]:
                    self.stdout.write(f"{parameter} = {milliseconds} ms on database {name}.")
        if getattr(settings, "PGBOUNCER_ADMIN_URL", None) is not None:
            self.reconnect_through_pgbouncer(connection.settings_dict)
            if options["verbosity"]:
                self.stdout.write("PgBouncer replaces its server connections as they are released.")
        elif options["verbosity"]:
            self.stdout.write(
                "New sessions start with these values. Existing ones keep theirs until they "
                "reconnect."
            )

    @staticmethod
    def reconnect_through_pgbouncer(database: dict[str, Any]) -> None:
        """RECONNECT on PgBouncer's admin console: each server connection is replaced."""
        try:
            with pgbouncer_admin(database) as admin:
                # The name is PgBouncer's identifier for the database, not SQL data.
                admin.execute(f"RECONNECT {database['NAME']}")
        except psycopg.Error as error:
            raise CommandError(
                f"The timeouts are stored, but PgBouncer's admin console refused RECONNECT "
                f"({error}). Give the role admin rights (admin_users in PgBouncer's ini file) "
                "or set PGBOUNCER_ADMIN_URL; until then server connections keep the old "
                "values up to server_lifetime."
            ) from error


def pgbouncer_admin(database: dict[str, Any]) -> psycopg.Connection[Any]:
    """PgBouncer's admin console: PGBOUNCER_ADMIN_URL, else the database's own host and role."""
    admin_url: str = getattr(settings, "PGBOUNCER_ADMIN_URL", "")
    where: dict[str, Any] = (
        {"conninfo": admin_url}
        if admin_url
        else {
            "host": database["HOST"],
            "port": database["PORT"],
            "user": database["USER"],
            "password": database["PASSWORD"],
            "dbname": "pgbouncer",
        }
    )
    return psycopg.connect(**where, autocommit=True, connect_timeout=5)
