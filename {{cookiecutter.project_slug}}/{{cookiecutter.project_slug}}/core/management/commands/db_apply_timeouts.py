"""Store the statement and idle-in-transaction timeouts on the database itself.

Why on the database: a ``-c statement_timeout=...`` startup option never reaches
PostgreSQL through PgBouncer (it rejects or drops it), and ``SET`` on a pooled
server connection leaks to whoever gets it next. ``ALTER DATABASE ... SET``
makes every new session on that database start with the values, however it
connects. ``make migrate`` runs this; run it again after changing
DATABASE_STATEMENT_TIMEOUT or DATABASE_IDLE_IN_TRANSACTION_TIMEOUT.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
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
        if options["verbosity"]:
            self.stdout.write(
                "New sessions start with these values. Existing ones keep theirs until they "
                "reconnect."
            )
