"""Error reporting and tracing to Sentry, started by each server and worker process.

Why at process start (config/startup.py) and not at settings import: every
``manage.py`` command, test and shell imports the settings, and none of them
should report to production's Sentry or start its background thread.

Integrations: Django (requests, with the route as transaction name), Celery
(tasks, and the trace carried from the request that enqueued them) and Redis
(cache calls as spans). Tracing is sampled at SENTRY_TRACES_SAMPLE_RATE, but
never for probes, metrics or static files: they would use up the quota and
say nothing.
"""

from typing import Any

import sentry_sdk
from django.conf import settings
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.redis import RedisIntegration

UNTRACED_PREFIXES = ("/health/", "/metrics")


def request_path(sampling_context: dict[str, Any]) -> str | None:
    """The path of the request being sampled (WSGI or ASGI), None for a task."""
    environ = sampling_context.get("wsgi_environ")
    if environ is not None:
        return str(environ.get("PATH_INFO", ""))
    scope = sampling_context.get("asgi_scope")
    if scope is not None:
        return str(scope.get("path", ""))
    return None


def traces_sampler(sampling_context: dict[str, Any]) -> float:
    path = request_path(sampling_context)
    if path is not None and path.startswith((*UNTRACED_PREFIXES, settings.STATIC_URL)):
        return 0.0
    parent = sampling_context.get("parent_sampled")
    if parent is not None:  # follow the caller's decision: whole traces, not halves
        return float(parent)
    return float(settings.SENTRY_TRACES_SAMPLE_RATE)


def init_sentry() -> bool:
    """Start the SDK when SENTRY_DSN is set; returns whether it started."""
    if not settings.SENTRY_DSN:
        return False
    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.SENTRY_ENVIRONMENT,
        release=settings.SENTRY_RELEASE or None,
        integrations=[DjangoIntegration(), CeleryIntegration(), RedisIntegration()],
        traces_sampler=traces_sampler,
        # No user data (names, addresses, cookies) leaves the service.
        send_default_pii=False,
    )
    return True
