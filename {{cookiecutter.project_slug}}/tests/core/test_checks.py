"""Every system check of core/ together: quiet on the shipped settings, all registered, all listed.

Each package's tests (tests/core/<package>/test_checks.py) fire its checks one
unsafe setting at a time, as a teammate's edit would; here the shipped
settings (the test settings; the production settings in `make check`) pass
them all, and docs/checks.md lists exactly the ids they use.
"""

import re

import pytest
from django.conf import settings
from django.core import checks as django_checks
from django.core.management import call_command
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.database.checks import check_connection_budget

from config.env import BASE_DIR

from tests.support.checks import ids


def test_the_shipped_settings_pass_every_check() -> None:
    call_command("check", "--fail-level", "WARNING")  # `make check` adds --deploy, in production


@pytest.mark.django_db
def test_the_database_checks_pass_on_the_test_database(settings: Settings) -> None:
    settings.ENVIRONMENT = "production"  # the budget check runs for production only
    settings.ADMIN_MFA_REQUIRED = True  # as production requires (core.E020)
    assert ids(check_connection_budget(None, databases=["default"])) == []
    call_command("check", "--database", "default", "--fail-level", "WARNING")


def test_the_checks_table_lists_exactly_the_ids_the_checks_use() -> None:
    listed = set(re.findall(r"core\.[EW]\d{3}", (BASE_DIR / "docs/checks.md").read_text()))
    core = BASE_DIR / "{{ cookiecutter.project_slug }}" / "core"
    used = {
        found
        for module in core.glob("*/checks.py")
        for found in re.findall(r'id="(core\.[EW]\d{3})"', module.read_text())
    }
    assert listed == used


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
