"""Connection reuse, pooling mode: PgBouncer in transaction mode.

PgBouncer keeps a fixed number of server connections however many web and
worker processes connect, so PostgreSQL's ``max_connections`` is never
exhausted by scaling out (sizing arithmetic in deploy/pgbouncer.ini). Django
keeps its client connection to PgBouncer open (``CONN_MAX_AGE``) and checks it
before reuse. config/settings/database.py merges these into DATABASES.
"""

from typing import Any

from config import env
from config.env import Variable

# The mode this project was generated with (the system checks read it).
DATABASE_POOLING = "pgbouncer"

env.declare(
    {
        "DATABASE_CONN_MAX_AGE": Variable(
            "whole seconds, 0 = a new connection per request",
            "How long a worker thread keeps its connection to PgBouncer. Forced to 0 under ASGI.",
            "60",
        ),
        "PGBOUNCER_ADMIN_URL": Variable(
            "postgres://USER:PASSWORD@HOST:PORT/pgbouncer, or empty for DATABASE_URL's",
            "PgBouncer's admin console, where db_apply_timeouts asks for RECONNECT.",
            "",
            secret=True,
        ),
        "PGBOUNCER_INSTANCES": Variable(
            "a whole number, at least 1",
            "How many PgBouncers connect to PostgreSQL (each opens a server pool of its "
            "own): the connection budget (core.E014) counts each.",
            "1",
        ),
    }
)

# The admin console (an admin_users role of deploy/pgbouncer.ini): after new
# timeouts are stored, RECONNECT makes PgBouncer replace each server connection
# once it is released, so every session runs with them at once, not within
# server_lifetime. Empty: DATABASE_URL's user and host, on database "pgbouncer".
PGBOUNCER_ADMIN_URL = env.read_str("PGBOUNCER_ADMIN_URL")
# The PgBouncers that may run at once (deploy/kubernetes runs two): PostgreSQL
# sees each one's server pool.
PGBOUNCER_INSTANCES = env.read_int("PGBOUNCER_INSTANCES", minimum=1)

CONNECTION_REUSE: dict[str, Any] = {
    # Keep the (cheap) client connection to PgBouncer between requests.
    "CONN_MAX_AGE": env.read_int("DATABASE_CONN_MAX_AGE", minimum=0),
    # A reused connection is checked first, so a restarted PgBouncer costs no request.
    "CONN_HEALTH_CHECKS": True,
    # Server-side cursors need the same server connection across transactions,
    # which transaction pooling does not guarantee: .iterator() would break.
    "DISABLE_SERVER_SIDE_CURSORS": True,
}
# No pool in Django: PgBouncer is the pool.
POOL_OPTIONS: dict[str, Any] = {}
