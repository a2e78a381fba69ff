"""core/checks/: each system check fires on the unsafe setting it guards, and only then.

The quiet side runs every check on the shipped settings (the test settings here,
the production settings in `make check`); the firing side changes one setting
at a time, as a teammate's edit would.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Task
from django.conf import settings
from django.core import checks as django_checks
from django.core.management import call_command
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core import checks
from {{ cookiecutter.project_slug }}.core.checks import (
    cache,
    celery,
    connection_budget,
    connection_demand,
    database,
    development,
    http,
)

from config import startup
from config.celery import app as celery_app

from tests.support.tasks import registered_task


def ids(messages: list[django_checks.CheckMessage]) -> list[str]:
    return [str(message.id) for message in messages]


def test_the_shipped_settings_pass_every_check() -> None:
    call_command("check", "--fail-level", "WARNING")  # `make check` adds --deploy, in production


@pytest.mark.django_db
def test_the_database_checks_pass_on_the_test_database(settings: Settings) -> None:
    settings.ENVIRONMENT = "production"  # the budget check runs for production only
    assert ids(connection_budget.check_connection_budget(None, databases=["default"])) == []
    call_command("check", "--database", "default", "--fail-level", "WARNING")


def test_the_docstring_table_lists_exactly_the_ids_the_checks_use() -> None:
    listed = set(re.findall(r"core\.[EW]\d{3}", str(checks.__doc__)))
    modules = (cache, celery, connection_budget, database, development, http)
    used = {
        found
        for module in modules
        for found in re.findall(r'id="(core\.[EW]\d{3})"', Path(str(module.__file__)).read_text())
    }
    assert listed == used


# --- Cache ---


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


# --- Database ---


@pytest.fixture
def default_database(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Change one key of DATABASES['default'] for the test (restored after)."""
    config = settings.DATABASES["default"]

    def change(**changes: Any) -> None:
        for key, value in changes.items():
            monkeypatch.setitem(config, key, value)

    return change


def test_a_database_without_connect_timeout_is_refused(default_database: Any) -> None:
    options = settings.DATABASES["default"]["OPTIONS"]
    default_database(
        OPTIONS={key: value for key, value in options.items() if key != "connect_timeout"}
    )
    assert ids(database.check_connect_timeout(None)) == ["core.E003"]


def test_persistent_connections_with_the_pool_are_refused(default_database: Any) -> None:
    options = settings.DATABASES["default"]["OPTIONS"]
    default_database(CONN_MAX_AGE=60, OPTIONS={**options, "pool": {"max_size": 4}})
    assert ids(database.check_connection_reuse(None)) == ["core.E004"]


def test_persistent_connections_under_asgi_are_refused(
    default_database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    default_database(CONN_MAX_AGE=60)
    monkeypatch.setattr(startup, "INTERFACE", "asgi")
    assert "core.E005" in ids(database.check_connection_reuse(None))
    monkeypatch.setattr(startup, "INTERFACE", "wsgi")
    assert "core.E005" not in ids(database.check_connection_reuse(None))


def test_pgbouncer_with_server_side_cursors_is_refused(default_database: Any) -> None:
    default_database(PORT=str(database.PGBOUNCER_PORT), DISABLE_SERVER_SIDE_CURSORS=False)
    assert ids(database.check_pgbouncer_cursors(None)) == ["core.E006"]


@pytest.mark.django_db
def test_session_timeouts_not_stored_are_reported(settings: Settings) -> None:
    settings.DATABASE_SESSION_TIMEOUTS = {
        "statement_timeout": 1234,
        "idle_in_transaction_session_timeout": 60_000,
    }
    messages = database.check_session_timeouts_stored(None, databases=["default"])
    assert ids(messages) == ["core.W002"]
    assert "found {'statement_timeout': '30000'}" in messages[0].msg
    assert "db_apply_timeouts" in str(messages[0].hint)
    assert database.check_session_timeouts_stored(None, databases=None) == []


@pytest.mark.django_db
def test_more_connections_than_postgresql_accepts_are_refused(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ENVIRONMENT = "production"
    accepted = connection_budget.connections_accepted("default")
    needed, how = connection_demand.connections_needed("default")
    assert 0 < needed <= accepted, how
    # A PostgreSQL that accepts one connection fewer than the service may open.
    reserve = connection_budget.RESERVED_FOR_OPERATORS + accepted - needed + 1
    monkeypatch.setattr(connection_budget, "RESERVED_FOR_OPERATORS", reserve)
    messages = connection_budget.check_connection_budget(None, databases=["default"])
    assert ids(messages) == ["core.E014"]
    assert f"may open {needed} connections" in messages[0].msg
    assert how in messages[0].msg
    settings.ENVIRONMENT = "local"  # a laptop's numbers are not the server's
    assert connection_budget.check_connection_budget(None, databases=["default"]) == []


# --- Celery ---


@pytest.fixture
def careless_task() -> Iterator[Task[Any, Any]]:
    """A task as a teammate might write it, registered for the test only."""

    def careless() -> None:
        """Nothing to do."""

    with registered_task(careless, acks_late=False, reject_on_worker_lost=False) as task:
        yield task


def plain() -> None:
    """A task as most are written: no options, the settings' defaults."""


def test_tasks_on_the_shipped_settings_pass_the_celery_checks() -> None:
    with registered_task(plain) as task:  # beside the project's own tasks, if any
        assert task.name in {found.name for found in celery.project_tasks()}
        for check in (
            celery.check_at_least_once,
            celery.check_time_limits,
            celery.check_visibility_timeout,
        ):
            assert check(None) == [], check


def test_early_acknowledgement_and_no_reject_on_worker_lost_are_refused(
    careless_task: Task[Any, Any],
) -> None:
    messages = celery.check_at_least_once(None)
    assert ids(messages) == ["core.E007", "core.E008"]
    assert all(repr(careless_task.name) in message.msg for message in messages)


@pytest.mark.parametrize(
    ("conf", "options"),
    [
        ({"task_time_limit": None}, {}),  # the setting removed
        ({}, {"soft_time_limit": 120}),  # soft after hard: no chance to clean up
    ],
)
def test_a_task_without_usable_time_limits_is_refused(
    monkeypatch: pytest.MonkeyPatch, conf: dict[str, Any], options: dict[str, Any]
) -> None:
    for key, value in conf.items():
        monkeypatch.setitem(celery_app.conf, key, value)

    def unbounded() -> None:
        """Nothing to do."""

    with registered_task(unbounded, **options) as task:
        messages = celery.check_time_limits(None)
    assert ids(messages) == ["core.E009"]
    assert repr(task.name) in messages[0].msg


def test_a_visibility_timeout_shorter_than_a_task_can_wait_is_refused(settings: Settings) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/9"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
    with registered_task(plain):
        assert "core.E010" in ids(celery.check_visibility_timeout(None))
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
        assert celery.check_visibility_timeout(None) == []


def test_worker_metrics_without_the_shared_directory_are_refused(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.WORKER_METRICS_BIND = "127.0.0.1:9101"
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert celery.check_worker_metrics(None) == []  # not a worker
    monkeypatch.setattr(startup, "INTERFACE", "celery")
    assert ids(celery.check_worker_metrics(None)) == ["core.E013"]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/tmp/worker-metrics")  # noqa: S108
    assert celery.check_worker_metrics(None) == []


# --- HTTP and development ---


@pytest.mark.parametrize("timeout", [None, 0, (3.05, 0), (0, 10)])
def test_an_http_client_without_timeout_is_refused(settings: Settings, timeout: object) -> None:
    settings.HTTP_TIMEOUT = timeout
    assert ids(http.check_http_timeout(None)) == ["core.E011"]


def test_the_debug_toolbar_without_debug_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Set on django.conf.settings directly: the settings fixture would re-populate the
    # app registry, running every AppConfig.ready() (and zeal's patching) a second time.
    monkeypatch.setattr(settings, "INSTALLED_APPS", [*settings.INSTALLED_APPS, "debug_toolbar"])
    assert ids(development.check_debug_toolbar(None)) == ["core.E012"]
    monkeypatch.setattr(settings, "DEBUG", True)
    assert development.check_debug_toolbar(None) == []


def test_the_checks_see_the_settings_django_uses() -> None:
    registered = {
        getattr(check, "__name__", "") for check in django_checks.registry.registry.get_checks()
    }
    assert {
        "check_shared_cache",
        "check_redis_socket_timeouts",
        "check_connect_timeout",
        "check_connection_reuse",
        "check_pgbouncer_cursors",
        "check_at_least_once",
        "check_time_limits",
        "check_visibility_timeout",
        "check_worker_metrics",
        "check_http_timeout",
        "check_debug_toolbar",
    } <= registered
    assert settings.ENVIRONMENT == "test"
