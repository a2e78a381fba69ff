"""The cache is shared between processes and bounded in time (config/settings/cache.py)."""

from collections.abc import Sequence
from typing import Any, cast

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

# Caches that live in one process (or nowhere): invalidation in one worker never
# reaches the others, and a cache-backed lock or throttle protects nothing.
PER_PROCESS_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}
DEVELOPMENT_ENVIRONMENTS = {"local", "test"}


@checks.register("core")
def check_shared_cache(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    environment = getattr(settings, "ENVIRONMENT", "production")
    if environment in DEVELOPMENT_ENVIRONMENTS:
        return []
    return [
        checks.Error(
            f"CACHES[{alias!r}] uses {config.get('BACKEND')!r}, which is not shared between "
            f"processes (environment {environment!r}).",
            hint="Use django_redis.cache.RedisCache (config/settings/cache.py).",
            id="core.E001",
        )
        for alias, config in settings.CACHES.items()
        if config.get("BACKEND") in PER_PROCESS_BACKENDS
    ]


@checks.register("core")
def check_redis_socket_timeouts(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Without them, a Redis that accepts and never answers holds every request forever."""
    messages: list[checks.CheckMessage] = []
    for alias, config in settings.CACHES.items():
        if config.get("BACKEND") != "django_redis.cache.RedisCache":
            continue
        options = cast("dict[str, Any]", config.get("OPTIONS", {}))
        missing = [
            name
            for name in ("SOCKET_CONNECT_TIMEOUT", "SOCKET_TIMEOUT")
            if not options.get(name) or options[name] <= 0
        ]
        if missing:
            messages.append(
                checks.Error(
                    f"CACHES[{alias!r}] has no {' or '.join(missing)}: a Redis that stops "
                    "answering blocks every request that reads the cache.",
                    hint="Set OPTIONS['SOCKET_CONNECT_TIMEOUT'] and OPTIONS['SOCKET_TIMEOUT'] "
                    "in seconds (config/settings/cache.py).",
                    id="core.E002",
                )
            )
    return messages
