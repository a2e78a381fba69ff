"""How the service reaches PostgreSQL: the URL, the timeouts, the DATABASES entry.

How connections are reused (persistent, pooled, or through PgBouncer) is the
pooling mode chosen when the project was generated; it lives in
config/settings/database_pooling.py and is merged into DATABASES below.

Timeouts that really apply: ``connect_timeout`` is a client option, so it is
set here. ``statement_timeout``, ``lock_timeout`` and
``idle_in_transaction_session_timeout`` are server settings; a ``-c`` startup option would be rejected (or silently dropped)
by PgBouncer, so they are stored on the database itself (``ALTER DATABASE ...
SET``) by ``manage.py db_apply_timeouts``, which ``make migrate`` and
``manage.py release`` run. Every new server session then starts with them,
whichever way it was reached. Migrations run under a policy of their own
(config/settings/migration_policy.py).

Under ASGI, config/asgi.py forces ``DATABASE_CONN_MAX_AGE=0``: Django's docs
require it there, because async requests run their queries in changing threads
and each would keep a connection of its own.
"""

from typing import Any
from urllib.parse import unquote, urlsplit

from config import env
from config.env import Variable
from config.settings.database_pooling import CONNECTION_REUSE, POOL_OPTIONS

env.declare(
    {
        "DATABASE_URL": Variable(
            "postgres://USER:PASSWORD@HOST:PORT/NAME",
            "PostgreSQL{{ ' through PgBouncer (transaction mode)' if cookiecutter.database_pooling == 'pgbouncer' else ' server' }}.",
            secret=True,
        ),
        "DATABASE_CONNECT_TIMEOUT": Variable(
            "whole seconds, at least 2 (libpq's minimum)",
            "Give up connecting after this long instead of hanging on a dead host.",
            "5",
        ),
        "DATABASE_STATEMENT_TIMEOUT": Variable(
            "whole seconds, at least 1",
            "PostgreSQL cancels any statement running longer (manage.py db_apply_timeouts).",
            "30",
        ),
        "DATABASE_LOCK_TIMEOUT": Variable(
            "whole seconds, at least 1",
            "A statement waiting this long for a lock fails instead of queueing every query "
            "behind it (manage.py db_apply_timeouts).",
            "10",
        ),
        "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT": Variable(
            "whole seconds, at least 1",
            "PostgreSQL ends a session left idle inside a transaction this long, freeing its locks.",
            "60",
        ),
    }
)


def database_from_url(url: str, variable: str = "DATABASE_URL") -> dict[str, Any]:
    """Django's DATABASES entry for a postgres:// URL (its scheme checked by config.env)."""
    parts = urlsplit(url)
    try:
        port = parts.port or 5432
    except ValueError:
        env.refuse(variable, url, "the port is not a number")
        port = 5432
    name = unquote(parts.path.lstrip("/"))
    if not name:
        env.refuse(variable, url, "no database name after the host")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname,
        "PORT": port,
    }


def refuse_pool_with_persistent_connections(databases: dict[str, dict[str, Any]]) -> None:
    """A pool lends connections per request; persistent ones would never go back.

    Django itself only fails at the first query ("Pooling doesn't support
    persistent connections."); this stops start-up and says what to change.
    """
    for alias, config in databases.items():
        max_age = config.get("CONN_MAX_AGE", 0)
        if config.get("OPTIONS", {}).get("pool") and max_age != 0:
            env.refuse(
                "DATABASE_CONN_MAX_AGE",
                str(max_age),
                f"DATABASES[{alias!r}] has a connection pool, which already reuses connections: "
                "set DATABASE_CONN_MAX_AGE=0, or remove OPTIONS['pool'] to use persistent "
                "connections instead (config/settings/database_pooling.py)",
            )


DATABASE_URL = env.read_url("DATABASE_URL", schemes=("postgres", "postgresql"))
CONNECT_TIMEOUT = env.read_int("DATABASE_CONNECT_TIMEOUT", minimum=2)

# Server-side timeouts in milliseconds (PostgreSQL's unit), stored on the database
# by `manage.py db_apply_timeouts` so they hold through PgBouncer too.
DATABASE_SESSION_TIMEOUTS = {
    # A runaway query is cancelled instead of holding a connection and its locks.
    "statement_timeout": env.read_int("DATABASE_STATEMENT_TIMEOUT", minimum=1) * 1000,
    # A statement stuck behind a lock (a migration's, a long transaction's) gives up
    # and frees its connection, instead of piling up with every request behind it.
    "lock_timeout": env.read_int("DATABASE_LOCK_TIMEOUT", minimum=1) * 1000,
    # A transaction left open (a crashed or stuck client) cannot hold locks forever.
    "idle_in_transaction_session_timeout": (
        env.read_int("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", minimum=1) * 1000
    ),
}

DATABASES = {
    "default": {
        **database_from_url(DATABASE_URL),
        **CONNECTION_REUSE,
        "OPTIONS": {"connect_timeout": CONNECT_TIMEOUT, **POOL_OPTIONS},
    }
}

refuse_pool_with_persistent_connections(DATABASES)
