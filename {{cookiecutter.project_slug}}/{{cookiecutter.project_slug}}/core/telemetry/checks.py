"""The service's own instruments stay honest: whole scrapes, and no debug tooling in production."""

import os
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

from {{ cookiecutter.project_slug }}.core import process


@checks.register("core")
def check_worker_metrics(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """A prefork worker's scrape without the shared directory shows the idle main process only."""
    if process.INTERFACE != "celery" or not settings.WORKER_METRICS_BIND:
        return []
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return []
    return [
        checks.Error(
            "CELERY_WORKER_METRICS_BIND is set but PROMETHEUS_MULTIPROC_DIR is not: the "
            "scrape would show the worker's main process, which runs no task.",
            hint="Set PROMETHEUS_MULTIPROC_DIR to a directory of the worker's own, or "
            "CELERY_WORKER_METRICS_BIND= to serve no metrics.",
            id="core.E013",
        )
    ]


@checks.register("core")
def check_debug_toolbar(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """With DEBUG off the toolbar shows nothing, but still instruments every request and query."""
    if "debug_toolbar" not in settings.INSTALLED_APPS or settings.DEBUG:
        return []
    return [
        checks.Error(
            "django-debug-toolbar is installed while DEBUG is off: every request still pays "
            "for its instrumentation, and its URLs are mounted.",
            hint="Install it in config/settings/local.py only, as shipped.",
            id="core.E012",
        )
    ]
