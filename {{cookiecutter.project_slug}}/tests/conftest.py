"""Fixtures shared by the whole suite. Tests use the real PostgreSQL, Redis and broker."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from pytest_django import DjangoDbBlocker, Settings
from zeal import zeal_context

from {{ cookiecutter.project_slug }}.core.breakers import breakers_reset
from {{ cookiecutter.project_slug }}.core.cache.local import local_copies_forget
from {{ cookiecutter.project_slug }}.users.keys import api_key_issue
from {{ cookiecutter.project_slug }}.users.models import User

from tests.support.broker import queue_declare, queue_delete, queue_take_all
from tests.support.caches import cache_pointed_at
from tests.support.database import close_database_connections
from tests.support.loopback import closed_port

pytest_plugins = [
    "tests.support.processes_marked",
    "tests.support.production",
    "tests.support.replica",
    # Spans in memory, instrumented before any test client loads the middleware.
    "tests.support.traces",{% if cookiecutter.database_pooling == 'pgbouncer' %}
    "tests.support.pgbouncer",{% endif %}
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    """The test database gets the same server-side timeouts as a migrated one.

    `make migrate` runs db_apply_timeouts; here it runs once the test database
    exists. The sessions opened before it (migrations) are closed so every test
    runs in a session that started with the timeouts.
    """
    with django_db_blocker.unblock():
        call_command("db_apply_timeouts", verbosity=0)
        close_database_connections()
{%- if cookiecutter.database_pooling == 'pgbouncer' %}
    # PgBouncer keeps its server sessions open: replace them too. Imported here
    # because tests.support.pgbouncer is a plugin that pytest_plugins registers first.
    from tests.support.pgbouncer import release_server_connections

    release_server_connections(str(settings.DATABASES["default"]["NAME"]))  # test_<name> now
{%- endif %}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--perf-rec-mode",
        choices=("none", "once", "overwrite"),
        default=None,
        help="django-perf-rec mode: once records missing *.perf.yml entries, overwrite "
        "rewrites them (default: settings.PERF_REC, 'none' so CI fails on any change)",
    )


@pytest.fixture(autouse=True, scope="session")
def _perf_rec_mode(pytestconfig: pytest.Config) -> None:
    mode = pytestconfig.getoption("--perf-rec-mode")
    if mode is not None:
        settings.PERF_REC = {**settings.PERF_REC, "MODE": mode}


@pytest.fixture(autouse=True)
def _detect_n_plus_one() -> Iterator[None]:
    """Any N+1 in code a test runs raises zeal's NPlusOneError (config/settings/test.py)."""
    with zeal_context():
        yield


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    """Each test starts and ends without keys under this run's prefix.

    Only our KEY_PREFIX is deleted: other runs share the Redis database, so it is
    never flushed.
    """
    redis_cache: Any = cache  # django-redis adds delete_pattern() to the cache API
    redis_cache.delete_pattern("*", itersize=1000)
    local_copies_forget()
    yield
    redis_cache.delete_pattern("*", itersize=1000)
    local_copies_forget()


@pytest.fixture(autouse=True)
def _closed_breakers() -> Iterator[None]:
    """Each test starts with every circuit breaker closed, as a new process does."""
    breakers_reset()
    yield
    breakers_reset()


@pytest.fixture
def redis_refused(settings: Settings) -> None:
    """The cache pointed at a loopback port where nothing listens: Redis is down."""
    cache_pointed_at(settings, closed_port())


@pytest.fixture
def api_key(django_user_model: type[User]) -> str:
    """A live API key of a new user, as a client holds it."""
    user = django_user_model.objects.create_user("api-client")
    return api_key_issue(user=user, name="tests").key


@pytest.fixture
def api_headers(api_key: str) -> dict[str, str]:
    """The header an API client sends."""
    return {"Authorization": f"Bearer {api_key}"}


@pytest.fixture(scope="session", autouse=True)
def task_queue_cleanup() -> Iterator[None]:
    """Delete this run's task queue on the shared broker when the session ends."""
    yield
    queue_delete()


@pytest.fixture
def task_queue() -> Iterator[None]:
    """This run's task queue on the real broker, empty before and after the test."""
    queue_declare()
    queue_take_all()
    yield
    queue_take_all()


# Tests that wait longest (real workers, child processes, fuzzing, timeouts):
# started first, so that no worker is left with one of them at the end.
SLOW_FIRST = (
    "test_kubernetes_worker.py",
    "test_kubernetes_web.py",
    "test_kubernetes_release.py",
    "test_worker.py",
    "test_beat.py",
    "test_worker_shutdown.py",
    "test_api_schema.py",
    "silent_server_fails",
    "fresh_production",
    "test_counts.py",
    "retry_after",
    "test_concurrency.py",
    "snippet_runs_as_written",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not any(part in item.nodeid for part in SLOW_FIRST))
