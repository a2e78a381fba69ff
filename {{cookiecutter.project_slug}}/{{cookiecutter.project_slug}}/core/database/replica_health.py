"""Which replica may serve a read now: measured lag, replayed position, reachability.

Each replica's state is measured with one small query on it, reused for
DATABASE_REPLICA_CHECK_SECONDS (per process): how far its replay is behind
what it has received (0 when it has replayed all of it, else the time since
the last transaction it replayed, an upper bound), and the WAL position it has
replayed. A replica is skipped when it lags past DATABASE_REPLICA_MAX_LAG,
when it is not a replica (promoted, or a URL pointing at a primary), when it
cannot be reached (a refused or timed-out connect, bounded by the connect
timeout; retried after DOWN_RETRY_SECONDS), or, for a client that wrote, when
it has not replayed that write yet. With none left the read goes to the
primary: counted in ``db_reads_on_primary``, never an error. Each change of
a replica's state is logged once, and its lag is the ``db_replica_lag_seconds``
gauge. Readiness never looks at replicas (core/health/probes.py checks the
primary): a replica's outage costs the primary some reads, not the service.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

from {{ cookiecutter.project_slug }}.core.database.routing import PRIMARY, Reads
from {{ cookiecutter.project_slug }}.core.telemetry import measurement, metrics

logger = logging.getLogger(__name__)

# A replica that could not be reached is tried again after this long, so that a
# dead host costs one connect timeout per this period, not one per request.
DOWN_RETRY_SECONDS = 5.0

MEASURE = (
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
    "CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END::float"
)

OK, LAGGING, DOWN, NOT_A_REPLICA = "ok", "lagging", "down", "not a replica"


def position(lsn: str) -> int:
    """A WAL position ('16/B374D848') as a number that compares like the position."""
    high, _, low = lsn.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


@dataclass(frozen=True)
class Health:
    state: str
    checked_at: float
    lag_seconds: float | None = None
    replayed: int = -1
    detail: str = ""


_health: dict[str, Health] = {}
_measuring: set[str] = set()
_lock = threading.Lock()
_turn = itertools.count()


def forget() -> None:
    """Measure every replica afresh (tests; a process after fork keeps its parent's)."""
    with _lock:
        _health.clear()
        _measuring.clear()


def measure(alias: str) -> Health:
    """One query on the replica: is it one, how far behind, what it has replayed."""
    now = time.monotonic()
    try:
        with measurement.unmeasured(), connections[alias].cursor() as cursor:
            cursor.execute(MEASURE)
            in_recovery, replayed, lag = cursor.fetchone()
    except DatabaseError as error:
        connections[alias].close()
        return Health(DOWN, now, detail=str(error).strip().splitlines()[0][:200])
    if not in_recovery or replayed is None:
        return Health(NOT_A_REPLICA, now, detail="pg_is_in_recovery() is false")
    state = LAGGING if lag > settings.DATABASE_REPLICA_MAX_LAG else OK
    return Health(state, now, lag_seconds=lag, replayed=position(replayed))


def record(alias: str, health: Health) -> None:
    """Keep ``health``; log once when the state changes, and set the lag gauge."""
    with _lock:
        before = _health.get(alias)
        _health[alias] = health
    if health.lag_seconds is not None:
        metrics.replica_lag_observed(alias, health.lag_seconds)
    if before is not None and before.state == health.state:
        return
    if health.state == OK:
        if before is not None:
            logger.info(
                "Replica %s serves reads again",
                alias,
                extra={"event": "replica_ok", "alias": alias},
            )
        return
    lag = f", {health.lag_seconds:.2f} s behind" if health.lag_seconds is not None else ""
    logger.warning(
        "Replica %s skipped, %s%s%s: its reads go to the primary",
        alias,
        health.state,
        lag,
        f" ({health.detail})" if health.detail else "",
        extra={"event": "replica_skipped", "alias": alias, "state": health.state},
    )


def health_of(alias: str) -> Health | None:
    """The replica's last measurement, measured again when it is older than allowed."""
    now = time.monotonic()
    with _lock:
        health = _health.get(alias)
        period = (
            DOWN_RETRY_SECONDS
            if health is not None and health.state == DOWN
            else settings.DATABASE_REPLICA_CHECK_SECONDS
        )
        due = (health is None or now - health.checked_at >= period) and alias not in _measuring
        if due:
            _measuring.add(alias)  # one thread measures; the others use the last value
    if due:
        try:
            record(alias, measure(alias))
        finally:
            with _lock:
                _measuring.discard(alias)
    return _health.get(alias)


def connected(alias: str) -> bool:
    """Whether the replica's connection is usable (connecting if needed, within the connect timeout)."""
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        connection.close()
        record(
            alias, Health(DOWN, time.monotonic(), detail=str(error).strip().splitlines()[0][:200])
        )
        return False
    return True


def serves(alias: str, reads: Reads) -> bool:
    health = health_of(alias)
    if health is None or health.state != OK:
        return False
    if reads.after_position is not None and health.replayed < reads.after_position:
        return False
    return connected(alias)


def replica_for(reads: Reads) -> str:
    """The replica for this read (the request's own while it serves), else the primary."""
    if reads.replica is not None and serves(reads.replica, reads):
        return reads.replica
    replicas: list[str] = settings.DATABASE_REPLICAS
    start = next(_turn) % len(replicas)
    for alias in replicas[start:] + replicas[:start]:  # spread across replicas
        if alias != reads.replica and serves(alias, reads):
            reads.replica = alias
            return alias
    reads.replica = None
    behind_client = reads.after_position is not None and any(
        (health := _health.get(alias)) is not None and health.state == OK for alias in replicas
    )
    metrics.read_on_primary("behind_client_write" if behind_client else "no_replica_usable")
    return PRIMARY
