"""The processes that serve the service: how many, how wide, and where their metrics are.

Why in settings and not only in deploy/gunicorn_config.py: these numbers are
part of the database's connection budget (workers x threads, times the copies
that run), which a system check holds against PostgreSQL's max_connections
(core/database/checks.py). gunicorn reads them from here too, so the
server and the check can never disagree.
"""

import ipaddress
import multiprocessing
import re

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
            "whole seconds, at least 1 and below ORCHESTRATOR_GRACE_SECONDS",
            "On SIGTERM, in-flight requests get this long to finish, before the "
            "orchestrator's SIGKILL cuts them off.",
            "20",
        ),
        "ORCHESTRATOR_GRACE_SECONDS": Variable(
            "whole seconds, at least 2",
            "What the orchestrator allows between SIGTERM and SIGKILL (compose.yaml's "
            "stop_grace_period, Kubernetes' terminationGracePeriodSeconds): the web "
            "server's and the worker's shutdown must end before it.",
            "30",
        ),
        "WEB_MAX_REQUESTS": Variable(
            "a whole number, 0 to never recycle",
            "A worker is replaced after this many requests (a tenth more at most), bounding "
            "slow leaks. A new worker imports the app and runs the checks, about a second of "
            "CPU: at 1000 a busy worker spent more on restarts than on requests.",
            "10000",
        ),
        "WEB_FORWARDED_ALLOW_IPS": Variable(
            "comma-separated addresses or networks (10.0.0.0/8), or * behind a private "
            "load balancer",
            "Proxies whose X-Forwarded-* headers are trusted: the scheme, and the client's "
            "address that failed logins are counted under (core/access/client.py).",
            "127.0.0.1",
        ),
        "WEB_METRICS_BIND": Variable(
            "HOST:PORT, or empty for no metrics endpoint",
            "Where gunicorn serves Prometheus metrics of all its workers. A port of its "
            "own: never route it through the public load balancer.",
            "0.0.0.0:9100",
        ),
        "WEB_INSTANCES": Variable(
            "a whole number, at least 1",
            "Copies of the web server that run against the database (replicas).",
            "1",
        ),
        "CELERY_WORKER_INSTANCES": Variable(
            "a whole number, at least 1",
            "Copies of the Celery worker that run against the database.",
            "1",
        ),
    }
)

WEB_BIND = env.read_str("WEB_BIND", min_length=1)
WEB_WORKERS = env.read_int("WEB_CONCURRENCY", minimum=0) or 2 * multiprocessing.cpu_count() + 1
WEB_THREADS = env.read_int("WEB_THREADS", minimum=1)
WEB_TIMEOUT = env.read_int("WEB_TIMEOUT", minimum=1)
WEB_GRACEFUL_TIMEOUT = env.read_int("WEB_GRACEFUL_TIMEOUT", minimum=1)
# Refused at start, not found out at the first deploy that cuts requests off.
ORCHESTRATOR_GRACE_SECONDS = env.read_int("ORCHESTRATOR_GRACE_SECONDS", minimum=2)
if WEB_GRACEFUL_TIMEOUT >= ORCHESTRATOR_GRACE_SECONDS:
    env.refuse(
        "WEB_GRACEFUL_TIMEOUT",
        str(WEB_GRACEFUL_TIMEOUT),
        f"not below ORCHESTRATOR_GRACE_SECONDS={ORCHESTRATOR_GRACE_SECONDS}",
    )
WEB_MAX_REQUESTS = env.read_int("WEB_MAX_REQUESTS", minimum=0)
WEB_FORWARDED_ALLOW_IPS = env.read_str("WEB_FORWARDED_ALLOW_IPS", min_length=1)
for _proxy in (item.strip() for item in WEB_FORWARDED_ALLOW_IPS.split(",")):
    try:
        if _proxy != "*":
            ipaddress.ip_network(_proxy)  # strict, as gunicorn reads it: 10.0.0.0/8, not 10.1.2.3/8
    except ValueError:
        env.refuse("WEB_FORWARDED_ALLOW_IPS", WEB_FORWARDED_ALLOW_IPS, f"{_proxy!r} is no address")
WEB_METRICS_BIND = env.read_str("WEB_METRICS_BIND")
if WEB_METRICS_BIND and not re.fullmatch(r"[\w.-]+:\d{1,5}", WEB_METRICS_BIND):
    env.refuse("WEB_METRICS_BIND", WEB_METRICS_BIND, "not HOST:PORT")
WEB_INSTANCES = env.read_int("WEB_INSTANCES", minimum=1)
CELERY_WORKER_INSTANCES = env.read_int("CELERY_WORKER_INSTANCES", minimum=1)
