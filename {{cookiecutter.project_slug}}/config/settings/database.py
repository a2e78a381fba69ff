"""How the service reaches PostgreSQL: the one place for connection settings.

{% if cookiecutter.database_pooling == 'pgbouncer' -%}
Mode: PgBouncer in transaction mode. PgBouncer keeps a fixed number of server
connections however many web and worker processes connect, so PostgreSQL's
``max_connections`` is never exhausted by scaling out (sizing arithmetic in
deploy/pgbouncer.ini). Django keeps its client connection to PgBouncer open
(``CONN_MAX_AGE``) and checks it before reuse.
{%- elif cookiecutter.database_pooling == 'django_pool' -%}
Mode: Django's psycopg connection pool, one per process. Connections are opened
once and lent to requests; ``CONN_MAX_AGE`` must be 0 (the pool, not Django,
keeps them). Size it from the process's concurrency: a gunicorn worker with T
threads needs at most T connections, and workers x DATABASE_POOL_MAX_SIZE (plus
Celery's processes) must stay below PostgreSQL's ``max_connections``.
{%- else -%}
Mode: persistent connections. Each worker thread keeps its connection for
``CONN_MAX_AGE`` seconds instead of connecting per request (a connect costs
about as much as a whole small view), and checks it before reuse. Every thread
of every process holds one PostgreSQL backend: workers x threads + Celery
concurrency must stay below ``max_connections``.
{%- endif %}

Timeouts that really apply: ``connect_timeout`` is a client option, so it is
set here. ``statement_timeout`` and ``idle_in_transaction_session_timeout`` are
server settings; a ``-c`` startup option would be rejected (or silently dropped)
by PgBouncer, so they are stored on the database itself (``ALTER DATABASE ...
SET``) by ``manage.py db_apply_timeouts``, which ``make migrate`` runs. Every
new server session then starts with them, whichever way it was reached.

Under ASGI, config/asgi.py forces ``DATABASE_CONN_MAX_AGE=0``: Django's docs
require it there, because async requests run their queries in changing threads
and each would keep a connection of its own.
"""

from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from config import env


def database_from_url(url: str) -> dict[str, Any]:
    """Django's DATABASES entry for a postgres:// URL (validated by config.env)."""
    parts = urlsplit(url)
    try:
        port = parts.port or 5432
    except ValueError:
        raise env.invalid("DATABASE_URL", url, "the port is not a number") from None
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise env.invalid("DATABASE_URL", url, "no database name after the host")
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
            raise ImproperlyConfigured(
                f"DATABASES[{alias!r}] combines a connection pool (OPTIONS['pool']) with "
                f"CONN_MAX_AGE={max_age!r}. The pool already reuses connections: set "
                "DATABASE_CONN_MAX_AGE=0, or remove OPTIONS['pool'] to use persistent "
                "connections instead (config/settings/database.py)."
            )


DATABASE_URL = env.read_url("DATABASE_URL", schemes=("postgres", "postgresql"))
CONNECT_TIMEOUT = env.read_int("DATABASE_CONNECT_TIMEOUT", minimum=2)
CONN_MAX_AGE = env.read_int("DATABASE_CONN_MAX_AGE", minimum=0)

# Server-side timeouts in milliseconds (PostgreSQL's unit), stored on the database
# by `manage.py db_apply_timeouts` so they hold through PgBouncer too.
DATABASE_SESSION_TIMEOUTS = {
    # A runaway query is cancelled instead of holding a connection and its locks.
    "statement_timeout": env.read_int("DATABASE_STATEMENT_TIMEOUT", minimum=1) * 1000,
    # A transaction left open (a crashed or stuck client) cannot hold locks forever.
    "idle_in_transaction_session_timeout": (
        env.read_int("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", minimum=1) * 1000
    ),
}

{%- if cookiecutter.database_pooling == 'django_pool' %}

POOL_MIN_SIZE = env.read_int("DATABASE_POOL_MIN_SIZE", minimum=0)
POOL_MAX_SIZE = env.read_int("DATABASE_POOL_MAX_SIZE", minimum=1)
if POOL_MIN_SIZE > POOL_MAX_SIZE:
    raise env.invalid(
        "DATABASE_POOL_MIN_SIZE",
        str(POOL_MIN_SIZE),
        f"above DATABASE_POOL_MAX_SIZE={POOL_MAX_SIZE}",
    )
{%- endif %}

DATABASES = {
    "default": {
        **database_from_url(DATABASE_URL),
{%- if cookiecutter.database_pooling == 'pgbouncer' %}
        # Keep the (cheap) client connection to PgBouncer between requests.
        "CONN_MAX_AGE": CONN_MAX_AGE,
        # A reused connection is checked first, so a restarted PgBouncer costs no request.
        "CONN_HEALTH_CHECKS": True,
        # Server-side cursors need the same server connection across transactions,
        # which transaction pooling does not guarantee: .iterator() would break.
        "DISABLE_SERVER_SIDE_CURSORS": True,
        "OPTIONS": {"connect_timeout": CONNECT_TIMEOUT},
{%- elif cookiecutter.database_pooling == 'django_pool' %}
        # The pool keeps the connections; Django hands each back after the request.
        "CONN_MAX_AGE": CONN_MAX_AGE,
        # With a pool, this makes the pool check a connection before lending it.
        "CONN_HEALTH_CHECKS": True,
        # A direct connection keeps server-side cursors: .iterator() streams rows.
        "DISABLE_SERVER_SIDE_CURSORS": False,
        "OPTIONS": {
            "connect_timeout": CONNECT_TIMEOUT,
            # psycopg_pool.ConnectionPool arguments, per process.
            "pool": {
                "min_size": POOL_MIN_SIZE,
                "max_size": POOL_MAX_SIZE,
                # Seconds a request waits for a free connection, then fails.
                "timeout": env.read_int("DATABASE_POOL_TIMEOUT", minimum=1),
            },
        },
{%- else %}
        # Each thread keeps its connection between requests for this many seconds.
        "CONN_MAX_AGE": CONN_MAX_AGE,
        # A reused connection is checked first, so a restarted server costs no request.
        "CONN_HEALTH_CHECKS": True,
        # A direct connection keeps server-side cursors: .iterator() streams rows.
        "DISABLE_SERVER_SIDE_CURSORS": False,
        "OPTIONS": {"connect_timeout": CONNECT_TIMEOUT},
{%- endif %}
    }
}

refuse_pool_with_persistent_connections(DATABASES)
