"""The connections every process may open fit under PostgreSQL's max_connections.

Why a database check: when web workers x threads (or x pool size), plus every
Celery pool process, times the copies that run, exceed what PostgreSQL
accepts, the service works in staging and fails under production load with
"too many clients already". The numbers are all known before the first
request: this check runs with ``migrate`` (the release step) and
``check --database default`` with the production settings, and refuses the
deploy instead.

What each pooling mode needs is in connection_demand.py; what PostgreSQL
accepts is its max_connections less the reserved ones and a margin for
migrations, shells and monitoring (RESERVED_FOR_OPERATORS).
"""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.db import connections

from {{ cookiecutter.project_slug }}.core.checks.connection_demand import (
    connections_needed,
)

RESERVED_FOR_OPERATORS = 5


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
        needed, how = connections_needed(alias)
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
