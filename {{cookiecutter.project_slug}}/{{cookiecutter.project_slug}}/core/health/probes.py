"""Health of the process and of its dependencies, for probes and for monitoring.

Three answers, each to its own caller:

- liveness (``/health/live``): the process serves requests at all. An
  orchestrator restarts a process that fails it; nothing outside the process
  is checked, so a dependency's outage never restarts every process at once.
- readiness (``/health/ready``): the process can serve. It fails when
  PostgreSQL or the broker is unusable (orders could not be placed, or their
  confirmation not enqueued) and takes the process out of rotation; it does
  not fail for Redis, whose outage the cache absorbs by design.
- ``/health/``: every dependency, Redis included, for monitoring; 503 when any fails.
  With the token it also shows this process's circuit breakers (core/breakers.py):
  ``{"cache": {"127.0.0.1:6379": "closed"}, "http": {...}}``. The Redis probe
  passes the cache's breaker: while it is open the probe fails at once
  (``CacheCircuitOpenError``), and after the cool-down it may be the probe.

Why raw probes: the cache ignores Redis errors by design (outages degrade to
misses), so a cache.get would report a dead Redis as healthy. The probes talk
to each dependency directly, bounded by the connection timeouts in settings
(and, for the broker, by BROKER_TIMEOUT with no retry). A broker result is
reused for BROKER_CHECK_SECONDS, so probes every few seconds do not open a
connection each. Which dependency fails is told only to callers that send
X-Health-Token (config/settings/observability.py); anyone else learns up or down.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable, Iterable

from celery import current_app
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django_redis import get_redis_connection

from {{ cookiecutter.project_slug }}.core.breakers import breaker_states

# Seconds the broker probe waits; the worker's own connection retries are not wanted here.
BROKER_TIMEOUT = 2.0
# Seconds a broker result is reused before the broker is asked again.
BROKER_CHECK_SECONDS = 10.0

# Per broker URL: (when checked, the error's name or None).
_broker_results: dict[str, tuple[float, str | None]] = {}
_broker_lock = threading.Lock()


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    get_redis_connection("default").ping()


def _connect_to_broker() -> None:
    with current_app.connection_for_write(
        settings.CELERY_BROKER_URL,
        connect_timeout=BROKER_TIMEOUT,
        transport_options={
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            "socket_timeout": BROKER_TIMEOUT,
            "socket_connect_timeout": BROKER_TIMEOUT,
        },
    ) as broker:
        broker.ensure_connection(max_retries=0)


class BrokerUnreachableError(Exception):
    """The broker failed its last check (within BROKER_CHECK_SECONDS)."""


def check_broker() -> None:
    """Connect to the Celery broker, at most once per BROKER_CHECK_SECONDS per URL."""
    url = settings.CELERY_BROKER_URL
    with _broker_lock:
        checked_at, error = _broker_results.get(url, (0.0, None))
        if time.monotonic() - checked_at >= BROKER_CHECK_SECONDS:
            try:
                _connect_to_broker()
            except Exception as failure:  # noqa: BLE001 - any failure means unusable
                error = type(failure).__name__
            else:
                error = None
            _broker_results[url] = (time.monotonic(), error)
    if error is not None:
        raise BrokerUnreachableError(error)


PROBES: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}
# What the service cannot serve without (readiness); Redis is not among them.
READINESS = ("database", "broker")


def run_probes(names: Iterable[str] = PROBES) -> dict[str, str]:
    """Map each dependency to "ok" or the kind of error it raised (no secrets)."""
    results: dict[str, str] = {}
    for name in names:
        try:
            PROBES[name]()
        except BrokerUnreachableError as error:
            results[name] = f"error: {error}"
        except Exception as error:  # noqa: BLE001 - any failure means unhealthy
            results[name] = f"error: {type(error).__name__}"
        else:
            results[name] = "ok"
    return results


def may_see_details(request: HttpRequest) -> bool:
    token: str = settings.HEALTH_TOKEN
    sent = request.headers.get("X-Health-Token", "")
    return bool(token) and hmac.compare_digest(sent.encode(), token.encode())


def health_response(request: HttpRequest, results: dict[str, str]) -> JsonResponse:
    """200 or 503; which dependency fails, and the breakers, only for a caller with the token."""
    failing = sorted(name for name, result in results.items() if result != "ok")
    body: dict[str, object] = {"status": "fail" if failing else "ok"}
    if may_see_details(request):
        body |= {"failing": failing, "checks": results, "breakers": breaker_states()}
    response = JsonResponse(body, status=503 if failing else 200)
    response["Cache-Control"] = "no-store"
    return response
