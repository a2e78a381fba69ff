"""Which database a query goes to when read replicas are configured.

Installed only when DATABASE_REPLICA_URLS names replicas
(config/settings/database_replicas.py); without them there is no router at all,
and every query goes to the primary as if replicas did not exist.

The primary: writes (and ``select_for_update``, ``get_or_create``: Django asks
for the write database), every read inside a transaction on the primary (it
must see its own writes), every read after a write in the same request,
migrations, and every read outside a request: tasks, commands, shells
(routing.py). A replica: the other reads of a request, when one is fresh
enough (replica_health.py).
"""

from __future__ import annotations

from typing import Any

from django.db import connections

from {{ cookiecutter.project_slug }}.core.database.replica_health import replica_for
from {{ cookiecutter.project_slug }}.core.database.routing import PRIMARY, current


class ReplicaRouter:
    """Django's database router for the primary and its replicas."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        reads = current()
        if reads is None or not reads.replicas_allowed or reads.wrote:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            # A transaction reads its own writes (and holds its locks) on the primary.
            return PRIMARY
        return replica_for(reads)

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        reads = current()
        if reads is not None:
            reads.wrote = True
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, copied: rows relate whichever copy they came from

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY
