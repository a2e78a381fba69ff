"""Production settings plus the benchmark-only routes (benchmarks/server/urls.py).

The naive list and the bare view exist only here, never in the service's URLs.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "benchmarks.server.urls"
