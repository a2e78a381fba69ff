"""Production settings, the blocking twin's routes, and the connection policy ASGI needs."""

from config.settings.production import *  # noqa: F403
from config.settings.production import DATABASES

ROOT_URLCONF = "benchmarks.blocking_site.urls"
# Under ASGI each request's ORM calls run in a thread of their own, so a
# persistent connection is never reused by the next request: close it at the
# end of each one and let the pool or PgBouncer do the reusing.
DATABASES["default"]["CONN_MAX_AGE"] = 0
