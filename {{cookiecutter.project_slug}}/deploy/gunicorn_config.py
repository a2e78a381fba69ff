"""gunicorn in production: the one place for the web server's behaviour.

    gunicorn -c deploy/gunicorn_config.py config.wsgi:application
    gunicorn -c deploy/gunicorn_config.py -k uvicorn_worker.UvicornWorker config.asgi:application

The second line serves the async operations on an event loop per worker
(uvicorn's worker for gunicorn): the same workers, timeouts, graceful shutdown,
request limits and trusted proxies for both. The numbers come from the
environment through config/settings/server.py (refused at start when
malformed), where the database's connection budget check reads them too.

Connections: every worker thread may hold a PostgreSQL connection (see
config/settings/database_pooling.py). The app is loaded in each worker after
the fork (no preload): no worker inherits a connection of the master's.

Metrics: every worker records into files of one directory (prometheus-client's
multiprocess mode) and the master serves their sum on WEB_METRICS_BIND, a
port of its own that the public load balancer never routes to.
"""

import os
import tempfile
from pathlib import Path
from typing import Any

from config import env

# Before anything imports prometheus_client: each worker then writes its values
# to files in this directory instead of keeping them in its own memory.
# One per master (the pid), emptied when it starts (on_starting).
os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", str(Path(tempfile.gettempdir()) / f"gunicorn-metrics-{os.getpid()}")
)

from config.settings import server

bind = [server.WEB_BIND]
workers = server.WEB_WORKERS
threads = server.WEB_THREADS
# gthread: a sync worker runs `threads` requests at once, each on its own thread.
worker_class = "gthread"
timeout = server.WEB_TIMEOUT
graceful_timeout = server.WEB_GRACEFUL_TIMEOUT
# Idle keep-alive connections from the load balancer are kept this long.
keepalive = 5
max_requests = server.WEB_MAX_REQUESTS
# Spread the recycling so the workers are not replaced all at once.
max_requests_jitter = max_requests // 10
forwarded_allow_ips = server.WEB_FORWARDED_ALLOW_IPS
preload_app = False
# Heartbeat files in memory, not on a disk that may stall (a container's overlay).
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108

# Django writes one structured line per request (core/telemetry/middleware.py), with its
# route, duration and queries: gunicorn's own access line would repeat it.
accesslog = None
errorlog = "-"

env.check()

_metrics_server: Any = None


def on_starting(arbiter: Any) -> None:
    from {{ cookiecutter.project_slug }}.core.telemetry.metrics import multiprocess_reset

    multiprocess_reset()


def when_ready(arbiter: Any) -> None:
    global _metrics_server  # noqa: PLW0603 (the master's one server, closed in each worker)
    if server.WEB_METRICS_BIND:
        from {{ cookiecutter.project_slug }}.core.telemetry.metrics import metrics_serve

        _metrics_server = metrics_serve(server.WEB_METRICS_BIND)


def post_fork(arbiter: Any, worker: Any) -> None:
    # A worker is a copy of the master: it must not hold the metrics port too.
    if _metrics_server is not None:
        _metrics_server.socket.close()


def child_exit(arbiter: Any, worker: Any) -> None:
    from {{ cookiecutter.project_slug }}.core.telemetry.metrics import process_gone

    process_gone(worker.pid)
