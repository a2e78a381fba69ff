"""Connection reuse, pooling mode: Django's psycopg connection pool, one per process.

Connections are opened once and lent to requests; ``CONN_MAX_AGE`` must be 0
(the pool, not Django, keeps them). Size it from the process's concurrency: a
gunicorn worker with T threads needs at most T connections, and workers x
DATABASE_POOL_MAX_SIZE (plus Celery's processes) must stay below PostgreSQL's
``max_connections``. config/settings/database.py merges these into DATABASES.
"""

from typing import Any

from config import env
from config.env import Variable

# The mode this project was generated with (the system checks read it).
DATABASE_POOLING = "django_pool"

env.declare(
    {
        "DATABASE_CONN_MAX_AGE": Variable(
            "0 (the pool reuses connections itself)",
            "Must stay 0: a pool and persistent connections exclude each other.",
            "0",
        ),
        "DATABASE_POOL_MIN_SIZE": Variable(
            "whole number, at least 0",
            "Connections each process's pool keeps open when idle.",
            "1",
        ),
        "DATABASE_POOL_MAX_SIZE": Variable(
            "whole number, at least 1",
            "Most connections one process's pool opens: its threads that query at once.",
            "4",
        ),
        "DATABASE_POOL_TIMEOUT": Variable(
            "whole seconds, at least 1",
            "How long a request waits for a free pooled connection before failing.",
            "10",
        ),
    }
)

POOL_MIN_SIZE = env.read_int("DATABASE_POOL_MIN_SIZE", minimum=0)
POOL_MAX_SIZE = env.read_int("DATABASE_POOL_MAX_SIZE", minimum=1)
if POOL_MIN_SIZE > POOL_MAX_SIZE:
    env.refuse(
        "DATABASE_POOL_MIN_SIZE",
        str(POOL_MIN_SIZE),
        f"above DATABASE_POOL_MAX_SIZE={POOL_MAX_SIZE}",
    )

CONNECTION_REUSE: dict[str, Any] = {
    # The pool keeps the connections; Django hands each back after the request.
    "CONN_MAX_AGE": env.read_int("DATABASE_CONN_MAX_AGE", minimum=0),
    # With a pool, this makes the pool check a connection before lending it.
    "CONN_HEALTH_CHECKS": True,
    # A direct connection keeps server-side cursors: .iterator() streams rows.
    "DISABLE_SERVER_SIDE_CURSORS": False,
}
POOL_OPTIONS: dict[str, Any] = {
    # psycopg_pool.ConnectionPool arguments, per process.
    "pool": {
        "min_size": POOL_MIN_SIZE,
        "max_size": POOL_MAX_SIZE,
        # Seconds a request waits for a free connection, then fails.
        "timeout": env.read_int("DATABASE_POOL_TIMEOUT", minimum=1),
    },
}
