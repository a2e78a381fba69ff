"""Database connections: bounded connects, the reuse policy of each mode, stored timeouts.

config/settings/database.py and database_pooling.py hold the settings these
checks guard; config/asgi.py sets CONN_MAX_AGE to 0 for the async path.
"""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.db import connections

from config import startup

PGBOUNCER_PORT = 6432


@checks.register("core")
def check_connect_timeout(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Without connect_timeout, a dead database host hangs every request forever."""
    return [
        checks.Error(
            f"DATABASES[{alias!r}] has no connect_timeout: an unreachable database host "
            "holds each request until the operating system gives up (minutes).",
            hint="Set OPTIONS['connect_timeout'] in seconds (config/settings/database.py).",
            id="core.E003",
        )
        for alias, config in settings.DATABASES.items()
        if not config.get("OPTIONS", {}).get("connect_timeout")
    ]


@checks.register("core")
def check_connection_reuse(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """CONN_MAX_AGE must be 0 with the psycopg pool, and under ASGI."""
    messages: list[checks.CheckMessage] = []
    for alias, config in settings.DATABASES.items():
        max_age = config.get("CONN_MAX_AGE", 0)
        if not max_age:
            continue
        if config.get("OPTIONS", {}).get("pool"):
            messages.append(
                checks.Error(
                    f"DATABASES[{alias!r}] has CONN_MAX_AGE={max_age} with the psycopg pool: "
                    "the pool keeps the connections, and Django refuses to connect like this.",
                    hint="Set DATABASE_CONN_MAX_AGE=0 (config/settings/database_pooling.py).",
                    id="core.E004",
                )
            )
        if startup.INTERFACE == "asgi":
            messages.append(
                checks.Error(
                    f"DATABASES[{alias!r}] has CONN_MAX_AGE={max_age} under ASGI: async "
                    "requests query from changing threads, each keeping a connection of "
                    "its own until PostgreSQL runs out.",
                    hint="config/asgi.py must set DATABASE_CONN_MAX_AGE=0 before the settings load.",
                    id="core.E005",
                )
            )
    return messages


@checks.register("core")
def check_pgbouncer_cursors(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Transaction pooling gives no server connection across transactions: no server cursors."""
    return [
        checks.Error(
            f"DATABASES[{alias!r}] goes through PgBouncer without "
            "DISABLE_SERVER_SIDE_CURSORS: .iterator() fails with 'cursor does not exist' "
            "when the next fetch lands on another server connection.",
            hint="Set DISABLE_SERVER_SIDE_CURSORS=True (config/settings/database_pooling.py).",
            id="core.E006",
        )
        for alias, config in settings.DATABASES.items()
        if (
            getattr(settings, "DATABASE_POOLING", "") == "pgbouncer"
            or str(config.get("PORT")) == str(PGBOUNCER_PORT)
        )
        and not config.get("DISABLE_SERVER_SIDE_CURSORS")
    ]


@checks.register(checks.Tags.database)
def check_session_timeouts_stored(
    app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Without the stored timeouts, a runaway query or a stuck transaction holds its locks.

    A database check: it runs with ``migrate`` and ``check --database default``.
    It reads what is stored on the database (what new sessions will start with),
    not what the current session shows, which through PgBouncer may predate it.
    """
    messages: list[checks.CheckMessage] = []
    expected = {
        parameter: str(milliseconds)
        for parameter, milliseconds in settings.DATABASE_SESSION_TIMEOUTS.items()
    }
    for alias in databases or ():
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(setconfig, '{}') FROM pg_db_role_setting "
                "WHERE setrole = 0 AND setdatabase = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            row = cursor.fetchone()
        stored: dict[str, str] = {}
        for item in row[0] if row else []:
            parameter, _, value = item.partition("=")
            stored[parameter] = value
        wrong = {
            parameter: stored.get(parameter)
            for parameter, value in expected.items()
            if stored.get(parameter) != value
        }
        if wrong:
            messages.append(
                checks.Warning(
                    f"Database {connection.settings_dict['NAME']!r} ({alias}) does not store "
                    f"the configured timeouts: expected {expected} (ms), found {wrong}.",
                    hint="Run `manage.py db_apply_timeouts` (make migrate does).",
                    id="core.W002",
                )
            )
    return messages
