"""Dependency probes behind /health/: each raises when its dependency is unusable.

Why raw probes: the cache ignores Redis errors by design (outages degrade to
misses), so a cache.get would report a dead Redis as healthy. The probes talk
to each dependency directly, bounded by the connection timeouts in settings
(and, for the broker, by BROKER_TIMEOUT with no retry).
"""

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django_redis import get_redis_connection

from config.celery import app as celery_app

# Seconds the broker probe waits; the worker's own connection retries are not wanted here.
BROKER_TIMEOUT = 2.0


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    get_redis_connection("default").ping()


def check_broker() -> None:
    """Connect to the Celery broker once: tasks enqueued now would otherwise be lost."""
    with celery_app.connection_for_write(
        settings.CELERY_BROKER_URL,
        connect_timeout=BROKER_TIMEOUT,
        transport_options={
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            "socket_timeout": BROKER_TIMEOUT,
            "socket_connect_timeout": BROKER_TIMEOUT,
        },
    ) as broker:
        broker.ensure_connection(max_retries=0)


PROBES: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


def run_probes() -> dict[str, str]:
    """Map each dependency to "ok" or the kind of error it raised (no secrets)."""
    results: dict[str, str] = {}
    for name, probe in PROBES.items():
        try:
            probe()
        except Exception as error:  # noqa: BLE001 - any failure means unhealthy
            results[name] = f"error: {type(error).__name__}"
        else:
            results[name] = "ok"
    return results
