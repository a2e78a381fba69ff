"""PostgreSQL seen from outside the connection under test, as an operator would act on it."""

import psycopg
from django.db import connection


def terminate_sessions(database: str) -> int:
    """End every session on `database` (as a restart or a failover would); returns how many."""
    config = connection.settings_dict
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"],
        user=config["USER"],
        password=config["PASSWORD"],
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        ).fetchall()
    return len(rows)
