"""The test settings use the real services, the way production does."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django_redis import get_redis_connection


def test_cache_is_the_shared_redis() -> None:
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert get_redis_connection("default").ping() is True
    cache.set("settings-probe", {"answer": 42}, timeout=5)
    assert cache.get("settings-probe") == {"answer": 42}
    cache.delete("settings-probe")


def test_sessions_survive_cache_eviction() -> None:
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"


@pytest.mark.django_db
def test_database_is_the_real_postgresql() -> None:
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int")
        (version,) = cursor.fetchone()
    assert version >= 130000
{%- if cookiecutter.database_pooling == 'pgbouncer' %}


def test_connections_go_through_pgbouncer() -> None:
    assert connection.settings_dict["PORT"] == 6432
    assert connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True
{%- endif %}


def test_debug_toolbar_is_absent_from_tests() -> None:
    assert "debug_toolbar" not in settings.INSTALLED_APPS
    assert not any("debug_toolbar" in entry for entry in settings.MIDDLEWARE)
