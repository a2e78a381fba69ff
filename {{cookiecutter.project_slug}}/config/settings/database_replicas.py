"""Read replicas: where reads may go besides the primary, and how stale they may be.

None configured (the default): DATABASES holds the primary only, no router is
installed and no middleware added; every query goes to the primary exactly as
before, at no cost. Each URL of DATABASE_REPLICA_URLS becomes an alias
``replica_1``, ``replica_2``... with the primary's connection policy (the
pooling mode's reuse, pool or health checks, and the same connect timeout; the
server-side timeouts are stored on the database, which the replica copies),
and every session on it is read-only (``default_transaction_read_only``), so a
write routed there by mistake fails loudly instead of being lost.

The router (core/database/routing.py) sends writes, transactions, locks,
migrations, the admin and Celery tasks to the primary, and other reads of a
request to a replica that is not lagging; read_your_writes.py keeps a client
that wrote on data at least as fresh as its write.
"""

from typing import Any
from urllib.parse import urlsplit

from config import env
from config.env import Variable
from config.settings.database import DATABASES, database_from_url
from config.settings.database_pooling import DATABASE_POOLING

env.declare(
    {
        "DATABASE_REPLICA_URLS": Variable(
            "comma-separated postgres://USER:PASSWORD@HOST:PORT/NAME, or empty",
            "Streaming replicas that serve reads"
            + (" (through their own PgBouncer pool)" if DATABASE_POOLING == "pgbouncer" else "")
            + "; empty: every query goes to the primary.",
            "",
            secret=True,
        ),
        "DATABASE_REPLICA_MAX_LAG": Variable(
            "seconds, e.g. 0.5",
            "A replica further behind than this is skipped; with none left, reads go to the primary.",
            "1",
        ),
        "DATABASE_REPLICA_CHECK_SECONDS": Variable(
            "seconds, e.g. 1",
            "How long a replica's measured lag (one small query) is reused before it is measured again.",
            "1",
        ),
        "DATABASE_REPLICA_PIN_SECONDS": Variable(
            "whole seconds, at least 1",
            "Longest a client that wrote keeps reading from the primary until a replica has "
            "replayed its write (the signed db_position cookie's lifetime).",
            "10",
        ),
    }
)

REPLICA_SESSION = "-c default_transaction_read_only=on"


def replica_database(url: str, primary: dict[str, Any]) -> dict[str, Any]:
    """A replica's DATABASES entry: the primary's policy, its own address, read-only sessions.

    Through PgBouncer the startup option would be refused: the replicas' pool
    sets it on each server connection instead{{ ' (deploy/pgbouncer.replica.ini)' if cookiecutter.database_pooling == 'pgbouncer' else '' }}.
    """
    options = {**primary["OPTIONS"]}
    if DATABASE_POOLING != "pgbouncer":
        options["options"] = REPLICA_SESSION
    return {
        **primary,
        **database_from_url(url, "DATABASE_REPLICA_URLS"),
        "OPTIONS": options,
        # The test runner creates nothing here: the replica copies the primary's test database.
        "TEST": {"MIRROR": None, "CREATE_DB": False},
    }


DATABASE_REPLICA_URLS = env.read_list("DATABASE_REPLICA_URLS")
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _parts = urlsplit(_url)
    if _parts.scheme not in {"postgres", "postgresql"} or not _parts.hostname:
        env.refuse("DATABASE_REPLICA_URLS", _url, f"entry {_number} is not a postgres:// URL")
        continue
    DATABASES[f"replica_{_number}"] = replica_database(_url, DATABASES["default"])
# The aliases reads may go to; empty: no router at all.
DATABASE_REPLICAS = [alias for alias in DATABASES if alias.startswith("replica_")]
_ROUTERS = [
    "{{ cookiecutter.project_slug }}.core.database.router.ReplicaRouter",
]
DATABASE_ROUTERS = _ROUTERS if DATABASE_REPLICAS else []
DATABASE_REPLICA_MAX_LAG = env.read_float("DATABASE_REPLICA_MAX_LAG", minimum=0.0)
DATABASE_REPLICA_CHECK_SECONDS = env.read_float("DATABASE_REPLICA_CHECK_SECONDS", minimum=0.0)
DATABASE_REPLICA_PIN_SECONDS = env.read_int("DATABASE_REPLICA_PIN_SECONDS", minimum=1)
