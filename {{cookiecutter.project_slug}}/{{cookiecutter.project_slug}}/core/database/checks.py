"""Database connections: bounded connects, the reuse policy of each mode, stored
timeouts, and a connection budget that fits under PostgreSQL's max_connections.

config/settings/database.py and database_pooling.py hold the settings these
checks guard; config/asgi.py sets CONN_MAX_AGE to 0 for the async path.

Why a budget check: when web workers x threads (or x pool size), plus every
Celery pool process, times the copies that run, exceed what PostgreSQL
accepts, the service works in staging and fails under production load with
"too many clients already". The numbers are all known before the first
request: the check runs with ``migrate`` (the release step) and
``check --database default`` with the production settings, and refuses the
deploy instead. What each pooling mode needs is in connection_demand.py; what
PostgreSQL accepts is its max_connections less the reserved ones and a margin
for migrations, shells and monitoring (RESERVED_FOR_OPERATORS).
"""

from collections.abc import Sequence
from typing import Any

import psycopg
from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connections

from {{ cookiecutter.project_slug }}.core import process
from {{ cookiecutter.project_slug }}.core.database.connection_demand import (
    connections_needed,
)

PGBOUNCER_PORT = 6432
RESERVED_FOR_OPERATORS = 5


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
        if process.INTERFACE == "asgi":
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


def connections_accepted(alias: str) -> int:
    """Connections PostgreSQL gives to ordinary roles like the service's."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int"
            " - current_setting('superuser_reserved_connections')::int"
            # PostgreSQL 16+ reserves more for pg_use_reserved_connections; 0 before.
            " - coalesce(current_setting('reserved_connections', true)::int, 0)"
        )
        (accepted,) = cursor.fetchone()
    return int(accepted) - RESERVED_FOR_OPERATORS


@checks.register(checks.Tags.database)
def check_connection_budget(
    app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    # The numbers are the production server's: a laptop's CPU count says nothing of them.
    if getattr(settings, "ENVIRONMENT", "production") != "production":
        return []
    messages: list[checks.CheckMessage] = []
    for alias in databases or ():
        try:
            needed, how = connections_needed(alias)
        except psycopg.Error as error:
            # PgBouncer's pool sizes come from its admin console, which only the release
            # Job may reach (PGBOUNCER_ADMIN_URL); a pod's `migrate --check` must pass.
            messages.append(
                checks.Warning(
                    f"The connection budget of database {alias!r} is unchecked: PgBouncer's "
                    f"admin console, which says its pool sizes, refused ({error}).",
                    hint="Set PGBOUNCER_ADMIN_URL to a role of PgBouncer's admin_users where "
                    "the budget must be checked: the release Job has it (its RECONNECT stops "
                    "the release if the console refuses).",
                    id="core.W014",
                )
            )
            continue
        accepted = connections_accepted(alias)
        if needed > accepted:
            messages.append(
                checks.Error(
                    f"The service may open {needed} connections to database {alias!r} "
                    f"({how}), but PostgreSQL accepts {accepted} (max_connections less "
                    f"reserved ones and {RESERVED_FOR_OPERATORS} for operators).",
                    hint="Lower WEB_CONCURRENCY, WEB_THREADS, CELERY_WORKER_CONCURRENCY or the "
                    "pool sizes (config/settings/server.py, database_pooling.py), or raise "
                    "PostgreSQL's max_connections.",
                    id="core.E014",
                )
            )
    return messages


def _address(config: dict[str, Any]) -> tuple[str, str, str]:
    return (str(config.get("HOST") or ""), str(config.get("PORT") or ""), str(config.get("NAME")))


ROUTER = "{{ cookiecutter.project_slug }}.core.database.router.ReplicaRouter"


@checks.register("core")
def check_replicas(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """A replica that is the primary, or replicas nothing routes to, are configuration mistakes.

    Reads "from a replica" that is the primary hide the lag the code must cope
    with until production; replicas without the router cost connections and
    serve nothing (and a router of one's own may not keep transactions on the primary).
    """
    replicas = getattr(settings, "DATABASE_REPLICAS", [])
    primary = _address(settings.DATABASES["default"])
    messages: list[checks.CheckMessage] = [
        checks.Error(
            f"DATABASES[{alias!r}] (DATABASE_REPLICA_URLS) points at the primary "
            f"({primary[0]}:{primary[1]}/{primary[2]}): its reads would never lag, and "
            "nothing would prove the code copes with a replica that does.",
            hint="Give DATABASE_REPLICA_URLS the replicas' own addresses, or leave it empty.",
            id="core.E030",
        )
        for alias in replicas
        if _address(settings.DATABASES[alias]) == primary
    ]
    if replicas and ROUTER not in settings.DATABASE_ROUTERS:
        messages.append(
            checks.Error(
                f"Replicas are configured ({', '.join(replicas)}) but DATABASE_ROUTERS lacks "
                f"{ROUTER}: no read reaches them, or reads reach them without read-your-writes.",
                hint="Keep DATABASE_ROUTERS as config/settings/database_replicas.py sets it.",
                id="core.E031",
            )
        )
    return messages


@checks.register(checks.Tags.database)
def check_replicas_are_replicas(
    app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """A replica URL that reaches a primary (another name, PgBouncer in front) is no replica.

    A database check (``migrate`` and the release step, ``check --database default``):
    it asks each replica. One that cannot be reached is the router's to skip, not an error.
    """
    messages: list[checks.CheckMessage] = []
    if databases is None:
        return messages
    for alias in getattr(settings, "DATABASE_REPLICAS", []):
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                (in_recovery,) = cursor.fetchone()
        except DatabaseError:
            continue
        if not in_recovery:
            messages.append(
                checks.Error(
                    f"DATABASES[{alias!r}] (DATABASE_REPLICA_URLS) reaches a server that is not "
                    "a replica (pg_is_in_recovery() is false): a primary, or a promoted replica.",
                    hint="Point DATABASE_REPLICA_URLS at streaming replicas only.",
                    id="core.E032",
                )
            )
    return messages
