"""The Celery application: configured from Django settings, tasks found in each app.

Settings live in config/settings/celery.py (the CELERY_ namespace); workers log
through Django's LOGGING because the worker does not hijack the root logger.

Connections in a prefork worker: Celery's Django fixup (celery>=5.7, as
pyproject.toml requires) closes, in each forked pool process, the connections
and the psycopg pool inherited from the main process, so every child opens its
own (DATABASE_POOL_MAX_SIZE per child at most in django_pool mode) and none
shares its parent's sockets (a test with a real worker holds the pool mode to it).

A worker's start (the signals below): what every process runs at start
(config/startup.py), a failing system check stopping the worker with exit
status 1, then its metrics port (CELERY_WORKER_METRICS_BIND), which sums what
every pool process recorded (core/telemetry/metrics.py) and asks the broker
for the queue depth at each scrape (core/telemetry/tasks.py).

Traces (core/telemetry/traces.py) start in each pool process after its fork and
are flushed when it exits: a pool process ends without atexit handlers, so the
spans of its last tasks would be lost.
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
    from {{ cookiecutter.project_slug }}.core.telemetry.metrics import multiprocess_reset

    from config import startup

    try:
        startup.start("celery")
    except Exception as error:
        # Celery logs what a worker_init handler raises and starts the worker anyway.
        # SystemExit is no Exception: it stops the worker before it takes a task,
        # with the reason (a failed check names its id and hint) and exit status 1.
        raise SystemExit(f"The worker refuses to start: {error}") from error
    multiprocess_reset()


@signals.worker_ready.connect
def _serve_metrics(**kwargs: Any) -> None:
    global _metrics_server  # noqa: PLW0603 (the worker's one metrics server)
    from django.conf import settings

    from {{ cookiecutter.project_slug }}.core.telemetry.metrics import metrics_serve
    from {{ cookiecutter.project_slug }}.core.telemetry.tasks import QueueDepthCollector

    if settings.WORKER_METRICS_BIND:
        depth = QueueDepthCollector(app, [settings.CELERY_TASK_DEFAULT_QUEUE])
        _metrics_server = metrics_serve(settings.WORKER_METRICS_BIND, [depth])


@signals.worker_process_init.connect
def _pool_process_started(**kwargs: Any) -> None:
    # A pool process forked after the server started must not hold its port too.
    if _metrics_server is not None:
        _metrics_server.socket.close()
    from {{ cookiecutter.project_slug }}.core.telemetry import traces

    traces.start()


@signals.worker_process_shutdown.connect
def _pool_process_stopped(**kwargs: Any) -> None:
    """A replaced pool process's live gauges leave the sum; its last spans are sent."""
    from {{ cookiecutter.project_slug }}.core.telemetry import traces
    from {{ cookiecutter.project_slug }}.core.telemetry.metrics import process_gone

    process_gone(os.getpid())
    traces.flush()
