"""System checks that refuse unsafe settings at start-up (``manage.py check``).

Why checks and not comments: a setting changed months later by someone who
never read the comment is caught by ``check`` in CI and at every start.
"""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.db import connections


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


@checks.register(checks.Tags.database)
def check_session_timeouts_stored(
    app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Without the stored timeouts, a runaway query or a stuck transaction holds its locks.

    A database check: it runs with ``migrate`` and ``check --database default``.
    It reads what is stored on the database (what new sessions will start with),
    not what the current session shows, which through PgBouncer may predate it.
    """
    messages: list[checks.CheckMessage] = []
    expected = {
        parameter: str(milliseconds)
        for parameter, milliseconds in settings.DATABASE_SESSION_TIMEOUTS.items()
    }
    for alias in databases or ():
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(setconfig, '{}') FROM pg_db_role_setting "
                "WHERE setrole = 0 AND setdatabase = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            row = cursor.fetchone()
        stored: dict[str, str] = {}
        for item in row[0] if row else []:
            parameter, _, value = item.partition("=")
            stored[parameter] = value
        wrong = {
            parameter: stored.get(parameter)
            for parameter, value in expected.items()
            if stored.get(parameter) != value
        }
        if wrong:
            messages.append(
                checks.Warning(
                    f"Database {connection.settings_dict['NAME']!r} ({alias}) does not store "
                    f"the configured timeouts: expected {expected} (ms), found {wrong}.",
                    hint="Run `manage.py db_apply_timeouts` (make migrate does).",
                    id="core.W002",
                )
            )
    return messages
