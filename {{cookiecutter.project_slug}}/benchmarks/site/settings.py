"""Production settings plus the benchmark site's routes and tasks.

``BENCH_CONNECTION_PER_REQUEST=1`` turns off every connection reuse (no
persistent connection, no pool): the baseline of benchmarks/connections.py.
``BENCH_CACHE_BREAKER=off`` reaches Redis as before the cache's circuit breaker
(redis-py's own client, every ignored error logged with its traceback): the
baseline of benchmarks/silent_cache.py.
``BENCH_MIDDLEWARE=none`` serves without any middleware, ``=django`` without
the project's probe, telemetry and API middlewares (Django's, WhiteNoise's and
the lazy messages only): the baselines of benchmarks/middleware.py.
"""

import os
from typing import Any, cast

from config.settings import production
from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "benchmarks.site.urls"
# Plain HTTP on loopback (benchmarks/load.py turns the redirect off): said once, here.
SILENCED_SYSTEM_CHECKS = ["security.W008"]
# The worker of benchmarks/celery.py finds the benchmark's task here.
CELERY_IMPORTS = ("benchmarks.site.tasks",)

if os.environ.get("BENCH_CONNECTION_PER_REQUEST") == "1":
    # The same DATABASES object the star import brought in, changed in place.
    for database in production.DATABASES.values():
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"].pop("pool", None)

if os.environ.get("BENCH_CACHE_BREAKER") == "off":
    cache_options = cast("dict[str, Any]", production.CACHES["default"]["OPTIONS"])
    del cache_options["REDIS_CLIENT_CLASS"], cache_options["REDIS_CLIENT_KWARGS"]
    LOGGING["loggers"]["django_redis.cache"].pop("filters")  # noqa: F405
    SILENCED_SYSTEM_CHECKS += ["core.E019"]  # the missing breaker is the point here

# The project's own middlewares, which the "django" baseline leaves out.
PROJECT_MIDDLEWARE = (
    "{{ cookiecutter.project_slug }}.core.health.",
    "{{ cookiecutter.project_slug }}.core.telemetry.",
    "{{ cookiecutter.project_slug }}.core.api.",
)
if os.environ.get("BENCH_MIDDLEWARE") == "django":
    MIDDLEWARE = [
        entry for entry in production.MIDDLEWARE if not entry.startswith(PROJECT_MIDDLEWARE)
    ]
if os.environ.get("BENCH_MIDDLEWARE") == "none":
    MIDDLEWARE = []
    # What the admin and Django's deploy checks say of a stack without them: this
    # baseline serves no admin, no session and no form.
    SILENCED_SYSTEM_CHECKS += [
        "admin.E408",
        "admin.E409",
        "admin.E410",
        "security.W001",
        "security.W002",
        "security.W003",
        # The admin's second factor (OTPMiddleware) and login lockout (AxesMiddleware).
        "core.E020",
        "axes.W002",
    ]
