"""The shared Redis cache (django-redis), used in every environment, tests included.

Why Redis and not LocMem: a per-process cache is not shared between workers, so
invalidation in one process never reaches the others, and tests against LocMem
prove nothing about the cache the service really runs.
"""

from config import env
from config.env import Variable

env.declare(
    {
        "REDIS_URL": Variable("redis://HOST:PORT/DB", "Redis for the shared cache.", secret=True),
        "CACHE_KEY_PREFIX": Variable(
            "letters, digits, '-' or '_'",
            "Namespace of every cache key, so services can share one Redis.",
            "{{ cookiecutter.project_slug }}",
        ),
    }
)

REDIS_URL = env.read_url("REDIS_URL", schemes=("redis", "rediss"))

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        # Every key is PREFIX:VERSION:key; bump VERSION to drop the whole cache at once.
        "KEY_PREFIX": env.read_str("CACHE_KEY_PREFIX", min_length=1),
        "VERSION": 1,
        "TIMEOUT": 300,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            # Fail fast instead of holding a request hostage to a slow Redis.
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
            "CONNECTION_POOL_KWARGS": {"max_connections": 50, "health_check_interval": 30},
            # A cache outage degrades to misses (logged) instead of failing requests.
            # cache.lock() is not covered: core/cache.py handles the outage there.
            "IGNORE_EXCEPTIONS": True,
        },
    }
}
# Each ignored error is logged (ERROR, logger "django_redis.cache"): an outage is
# visible in the logs even though requests keep succeeding.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# Sessions survive cache eviction: written to the database, read through the cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
