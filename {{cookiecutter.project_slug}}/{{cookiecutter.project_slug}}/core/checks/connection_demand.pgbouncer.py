"""Connections the service may open, pgbouncer mode: PgBouncer's server pool, whatever the clients.

However many processes connect, PostgreSQL sees at most PgBouncer's
max_db_connections, or default_pool_size + reserve_pool_size for the one
database/user pair; read from PgBouncer's admin console (the one that
``db_apply_timeouts`` uses), so the check sees what really runs.
"""

from django.db import connections

from {{ cookiecutter.project_slug }}.core.management.commands.db_apply_timeouts import (
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
        return ceiling, f"PgBouncer's max_db_connections = {ceiling}"
    return pool, (
        f"PgBouncer's default_pool_size {config['default_pool_size']} + "
        f"reserve_pool_size {config.get('reserve_pool_size', '0')}"
    )
