"""Connections the service may open, pgbouncer mode: PgBouncer's server pool, whatever the clients.

However many processes connect, PostgreSQL sees at most PgBouncer's
max_db_connections, or default_pool_size + reserve_pool_size for the one
database/user pair; read from PgBouncer's admin console (the one that
``db_apply_timeouts`` uses), so the check sees what really runs. Each of
PGBOUNCER_INSTANCES PgBouncers opens that many.
"""

from django.conf import settings
from django.db import connections

from {{ cookiecutter.project_slug }}.core.database.timeouts import (
    pgbouncer_admin,
)


def connections_needed(alias: str) -> tuple[int, str]:
    """(connections, how they add up) that PgBouncer may open to PostgreSQL."""
    with pgbouncer_admin(connections[alias].settings_dict) as admin:
        rows = admin.execute("SHOW CONFIG").fetchall()
    config = {str(row[0]): str(row[1]) for row in rows}
    ceiling = int(config.get("max_db_connections", "0"))
    pool = int(config["default_pool_size"]) + int(config.get("reserve_pool_size", "0"))
    if ceiling and ceiling < pool:
        pool, how = ceiling, f"PgBouncer's max_db_connections = {ceiling}"
    else:
        how = (
            f"PgBouncer's default_pool_size {config['default_pool_size']} + "
            f"reserve_pool_size {config.get('reserve_pool_size', '0')}"
        )
    instances = settings.PGBOUNCER_INSTANCES
    if instances > 1:
        return pool * instances, f"PGBOUNCER_INSTANCES {instances} x ({how})"
    return pool, how
