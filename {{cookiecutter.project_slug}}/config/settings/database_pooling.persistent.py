"""Connection reuse, pooling mode: persistent connections with health checks.

Each worker thread keeps its connection for ``CONN_MAX_AGE`` seconds instead
of connecting per request (a connect costs about as much as a whole small
view), and checks it before reuse. Every thread of every process holds one
PostgreSQL backend: workers x threads + Celery concurrency must stay below
``max_connections``. config/settings/database.py merges these into DATABASES.
"""

from typing import Any

from config import env
from config.env import Variable

# The mode this project was generated with (the system checks read it).
DATABASE_POOLING = "persistent"

env.declare(
    {
        "DATABASE_CONN_MAX_AGE": Variable(
            "whole seconds, 0 = a new connection per request",
            "How long a worker thread keeps its connection. Forced to 0 under ASGI.",
            "60",
        ),
    }
)

CONNECTION_REUSE: dict[str, Any] = {
    # Each thread keeps its connection between requests for this many seconds.
    "CONN_MAX_AGE": env.read_int("DATABASE_CONN_MAX_AGE", minimum=0),
    # A reused connection is checked first, so a restarted server costs no request.
    "CONN_HEALTH_CHECKS": True,
    # A direct connection keeps server-side cursors: .iterator() streams rows.
    "DISABLE_SERVER_SIDE_CURSORS": False,
}
# No pool: each thread's connection is its own.
POOL_OPTIONS: dict[str, Any] = {}
