"""System checks that refuse unsafe settings at start-up (``manage.py check``).

Why checks and not comments: a setting changed months later by someone who
never read the comment is caught by ``check`` in CI and at every start.
"""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


@checks.register("core")
def check_shared_cache(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """A per-process cache is not shared: invalidation in one worker misses the others."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend != "django_redis.cache.RedisCache":
        return [
            checks.Error(
                f"The default cache uses {backend!r}, which is not shared between processes.",
                hint="Use django_redis.cache.RedisCache (config/settings/cache.py).",
                id="core.E001",
            )
        ]
    return []


@checks.register("core")
def check_connect_timeout(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Without connect_timeout, a dead database host hangs every request forever."""
    messages: list[checks.CheckMessage] = []
    for alias, config in settings.DATABASES.items():
        if not config.get("OPTIONS", {}).get("connect_timeout"):
            messages.append(
                checks.Warning(
                    f"DATABASES[{alias!r}] has no connect_timeout.",
                    hint="Set OPTIONS['connect_timeout'] (config/settings/database.py).",
                    id="core.W001",
                )
            )
    return messages
