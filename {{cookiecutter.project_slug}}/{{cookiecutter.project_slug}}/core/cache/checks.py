"""The cache is shared between processes and bounded in time (config/settings/cache.py)."""

from collections.abc import Sequence
from typing import Any, cast

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from {{ cookiecutter.project_slug }}.core.cache.breaker import CircuitBreakingRedis

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


BREAKING_CLIENT = "{{ cookiecutter.project_slug }}.core.cache.breaker.CircuitBreakingRedis"


@checks.register("core")
def check_redis_circuit_breaker(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Without it, a silent Redis costs every cache call its socket timeout (core/cache/breaker.py)."""
    return [
        checks.Error(
            f"CACHES[{alias!r}] reaches Redis without the circuit breaker "
            f"(REDIS_CLIENT_CLASS is {options.get('REDIS_CLIENT_CLASS')!r}): a Redis that stops "
            "answering costs every cache call its socket timeout.",
            hint=f"Set OPTIONS['REDIS_CLIENT_CLASS'] to {BREAKING_CLIENT!r}, or a subclass "
            "(config/settings/cache.py).",
            id="core.E019",
        )
        for alias, config in settings.CACHES.items()
        if config.get("BACKEND") == "django_redis.cache.RedisCache"
        for options in [cast("dict[str, Any]", config.get("OPTIONS", {}))]
        if not _breaks_circuits(options.get("REDIS_CLIENT_CLASS"))
    ]


def _breaks_circuits(client_class: object) -> bool:
    if not isinstance(client_class, str):
        return False
    try:
        loaded = import_string(client_class)
    except ImportError:
        return False
    return isinstance(loaded, type) and issubclass(loaded, CircuitBreakingRedis)
