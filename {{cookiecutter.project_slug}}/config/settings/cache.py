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
        "CACHE_CIRCUIT_SECONDS": Variable(
            "seconds, 0.1 to 300",
            "After a Redis timeout or connection error, each process leaves Redis alone this "
            "long (reads miss, writes are skipped), then one call probes it.",
            "5",
        ),
    }
)

REDIS_URL = env.read_url("REDIS_URL", schemes=("redis", "rediss"))
# The cool-down of the cache's circuit breaker (core/cache/breaker.py): long enough
# that a silent Redis costs a process one socket timeout per cool-down, not one per
# call; short enough that the cache is back soon after Redis is.
CACHE_CIRCUIT_SECONDS = env.read_float("CACHE_CIRCUIT_SECONDS", minimum=0.1, maximum=300)

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
            # Every command behind this process's circuit breaker (core/cache/breaker.py).
            "REDIS_CLIENT_CLASS": "{{ cookiecutter.project_slug }}.core.cache.breaker.CircuitBreakingRedis",
            "REDIS_CLIENT_KWARGS": {"circuit_seconds": CACHE_CIRCUIT_SECONDS},
            # Fail fast instead of holding a request hostage to a slow Redis.
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
            "CONNECTION_POOL_KWARGS": {"max_connections": 50, "health_check_interval": 30},
            # A cache outage degrades to misses instead of failing requests (the
            # breaker logs it once). cache.lock() is not covered: core/cache/stampede.py
            # handles the outage there.
            "IGNORE_EXCEPTIONS": True,
        },
    }
}
# Each ignored error is logged (ERROR, logger "django_redis.cache") but those the
# breaker reports in one line (config/settings/logging.py): an outage is visible in
# the logs even though requests keep succeeding, without a traceback per call.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# Sessions survive cache eviction: written to the database, read through the cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
