"""gunicorn in production: the one place for the web server's numbers.

    gunicorn -c deploy/gunicorn_config.py config.wsgi:application
    gunicorn -c deploy/gunicorn_config.py -k uvicorn_worker.UvicornWorker config.asgi:application

The second line serves the async operations on an event loop per worker
(uvicorn's worker for gunicorn): the same workers, timeouts, graceful shutdown,
request limits, access log and trusted proxies for both. Each number comes
from the environment (declared here, read by config/env.py, refused at start
when malformed) with a default for a small container.

Connections: every worker thread may hold a PostgreSQL connection (see
config/settings/database_pooling.py), so workers x threads is part of the
connection budget in deploy/pgbouncer.ini. The app is loaded in each worker
after the fork (no preload): no worker inherits a connection of the master's.
"""

import multiprocessing
from pathlib import Path

from config import env
from config.env import Variable

env.declare(
    {
        "WEB_BIND": Variable("HOST:PORT", "Address the web server listens on.", "0.0.0.0:8000"),
        "WEB_CONCURRENCY": Variable(
            "a whole number, 0 for 2 x CPUs + 1",
            "gunicorn worker processes.",
            "0",
        ),
        "WEB_THREADS": Variable(
            "a whole number, at least 1",
            "Threads per sync worker (ignored by the ASGI worker, which runs an event loop).",
            "4",
        ),
        "WEB_TIMEOUT": Variable(
            "whole seconds, at least 1",
            "A worker silent this long is killed and replaced (a hung request).",
            "30",
        ),
        "WEB_GRACEFUL_TIMEOUT": Variable(
            "whole seconds, at least 1",
            "On SIGTERM, in-flight requests get this long to finish. Keep it below the "
            "orchestrator's grace period (Kubernetes: 30 s) so nothing is cut off.",
            "20",
        ),
        "WEB_MAX_REQUESTS": Variable(
            "a whole number, 0 to never recycle",
            "A worker is replaced after this many requests, bounding slow leaks.",
            "1000",
        ),
        "WEB_FORWARDED_ALLOW_IPS": Variable(
            "comma-separated addresses, or * behind a private load balancer",
            "Proxies whose X-Forwarded-* headers are trusted.",
            "127.0.0.1",
        ),
    }
)

bind = [env.read_str("WEB_BIND", min_length=1)]
workers = env.read_int("WEB_CONCURRENCY", minimum=0) or 2 * multiprocessing.cpu_count() + 1
threads = env.read_int("WEB_THREADS", minimum=1)
# gthread: a sync worker runs `threads` requests at once, each on its own thread.
worker_class = "gthread"
timeout = env.read_int("WEB_TIMEOUT", minimum=1)
graceful_timeout = env.read_int("WEB_GRACEFUL_TIMEOUT", minimum=1)
# Idle keep-alive connections from the load balancer are kept this long.
keepalive = 5
max_requests = env.read_int("WEB_MAX_REQUESTS", minimum=0)
# Spread the recycling so the workers are not replaced all at once.
max_requests_jitter = max_requests // 10
forwarded_allow_ips = env.read_str("WEB_FORWARDED_ALLOW_IPS", min_length=1)
preload_app = False
# Heartbeat files in memory, not on a disk that may stall (a container's overlay).
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108

# One line per request on stdout, with its duration in milliseconds (%(M)s).
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
errorlog = "-"

env.check()
