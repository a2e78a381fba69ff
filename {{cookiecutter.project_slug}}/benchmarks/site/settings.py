"""Production settings plus the benchmark site's routes and tasks.

``BENCH_CONNECTION_PER_REQUEST=1`` turns off every connection reuse (no
persistent connection, no pool): the baseline of benchmarks/connections.py.
"""

import os

from config.settings import production
from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "benchmarks.site.urls"
# The worker of benchmarks/celery.py finds the benchmark's task here.
CELERY_IMPORTS = ("benchmarks.site.tasks",)

if os.environ.get("BENCH_CONNECTION_PER_REQUEST") == "1":
    # The same DATABASES object the star import brought in, changed in place.
    for database in production.DATABASES.values():
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"].pop("pool", None)
