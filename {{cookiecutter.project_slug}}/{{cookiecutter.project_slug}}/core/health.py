"""Dependency probes behind /health/: each raises when its dependency is unusable.

Why raw probes: the cache ignores Redis errors by design (outages degrade to
misses), so a cache.get would report a dead Redis as healthy. The probes talk
to each dependency directly, bounded by the connection timeouts in settings.
"""

from collections.abc import Callable

from django.db import connection
from django_redis import get_redis_connection


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    get_redis_connection("default").ping()


PROBES: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
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
