"""core/cache/checks.py: a cache not shared, not bounded in time or without its breaker is refused."""

import pytest
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.cache import checks as cache
from {{ cookiecutter.project_slug }}.core.cache.breaker import CircuitBreakingRedis

from tests.support.checks import ids


@pytest.mark.parametrize("backend", sorted(cache.PER_PROCESS_BACKENDS))
def test_a_per_process_cache_is_refused_in_production(settings: Settings, backend: str) -> None:
    settings.ENVIRONMENT = "production"
    settings.CACHES = {"default": {"BACKEND": backend}}
    messages = cache.check_shared_cache(None)
    assert ids(messages) == ["core.E001"]
    assert backend in messages[0].msg


def test_a_per_process_cache_is_allowed_in_tests_and_development(settings: Settings) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    for environment in ("test", "local"):
        settings.ENVIRONMENT = environment
        assert cache.check_shared_cache(None) == []


@pytest.mark.parametrize("option", ["SOCKET_TIMEOUT", "SOCKET_CONNECT_TIMEOUT"])
def test_redis_without_a_socket_timeout_is_refused(settings: Settings, option: str) -> None:
    default = settings.CACHES["default"]
    options = {key: value for key, value in default["OPTIONS"].items() if key != option}
    settings.CACHES = {"default": {**default, "OPTIONS": options}}
    messages = cache.check_redis_socket_timeouts(None)
    assert ids(messages) == ["core.E002"]
    assert option in messages[0].msg


def test_redis_without_the_circuit_breaker_is_refused(settings: Settings) -> None:
    default = settings.CACHES["default"]
    options = {**default["OPTIONS"], "REDIS_CLIENT_CLASS": "redis.client.Redis"}
    settings.CACHES = {"default": {**default, "OPTIONS": options}}
    messages = cache.check_redis_circuit_breaker(None)
    assert ids(messages) == ["core.E019"]
    assert "'redis.client.Redis'" in messages[0].msg


class TeamsRedis(CircuitBreakingRedis):
    """What a team writes next: the project's client, with something of its own."""


def test_the_shipped_client_and_a_subclass_of_it_pass(settings: Settings) -> None:
    assert cache.check_redis_circuit_breaker(None) == []
    default = settings.CACHES["default"]
    options = {**default["OPTIONS"], "REDIS_CLIENT_CLASS": f"{__name__}.TeamsRedis"}
    settings.CACHES = {"default": {**default, "OPTIONS": options}}
    assert cache.check_redis_circuit_breaker(None) == []
