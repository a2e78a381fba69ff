"""The Celery application: configured from Django settings, tasks found in each app.

Settings live in config/settings/celery.py (the CELERY_ namespace); workers log
through Django's LOGGING because the worker does not hijack the root logger.

Connections in a prefork worker: Celery's Django fixup (celery>=5.7, as
pyproject.toml requires) closes, in each forked pool process, the connections
and the psycopg pool inherited from the main process, so every child opens its
own (DATABASE_POOL_MAX_SIZE per child at most in django_pool mode) and none
shares its parent's sockets. tests/config/test_celery_pool.py holds it to that.

A worker's start (the signals below): the system checks and Sentry
(config/startup.py), then its metrics port (CELERY_WORKER_METRICS_BIND), which
sums what every pool process recorded (core/metrics.py) and asks the broker
for the queue depth at each scrape (core/task_telemetry.py).
"""

import os
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("{{ cookiecutter.project_slug }}")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_metrics_server: Any = None


@signals.worker_init.connect
def _worker_started(**kwargs: Any) -> None:
    from {{ cookiecutter.project_slug }}.core.metrics import multiprocess_reset

    from config import startup

    startup.start("celery")
    multiprocess_reset()


@signals.worker_ready.connect
def _serve_metrics(**kwargs: Any) -> None:
    global _metrics_server  # noqa: PLW0603 (the worker's one metrics server)
    from django.conf import settings

    from {{ cookiecutter.project_slug }}.core.metrics import metrics_serve
    from {{ cookiecutter.project_slug }}.core.task_telemetry import QueueDepthCollector

    if settings.WORKER_METRICS_BIND:
        depth = QueueDepthCollector(app, [settings.CELERY_TASK_DEFAULT_QUEUE])
        _metrics_server = metrics_serve(settings.WORKER_METRICS_BIND, [depth])


@signals.worker_process_init.connect
def _pool_process_started(**kwargs: Any) -> None:
    # A pool process forked after the server started must not hold its port too.
    if _metrics_server is not None:
        _metrics_server.socket.close()


@signals.worker_process_shutdown.connect
def _pool_process_stopped(**kwargs: Any) -> None:
    """A replaced pool process's live gauges leave the sum."""
    from {{ cookiecutter.project_slug }}.core.metrics import process_gone

    process_gone(os.getpid())
