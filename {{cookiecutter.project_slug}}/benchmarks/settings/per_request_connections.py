"""Production settings with a new PostgreSQL connection per request: no reuse, no pool.

The baseline that benchmarks/connections.py compares the configured settings with.
"""

from config.settings import production
from config.settings.production import *  # noqa: F403

# The same DATABASES object the star import brought in, changed in place.
for config in production.DATABASES.values():
    config["CONN_MAX_AGE"] = 0
    config["OPTIONS"].pop("pool", None)
