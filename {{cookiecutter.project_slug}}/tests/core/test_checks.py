"""Each custom system check fires on the unsafe setting it guards, and only then."""

import pytest
from django.conf import settings
from django.core.management import call_command
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core import checks


def test_shared_cache_passes_with_redis() -> None:
    assert checks.check_shared_cache(None) == []


def test_shared_cache_refuses_locmem(settings: Settings) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    messages = checks.check_shared_cache(None)
    assert [message.id for message in messages] == ["core.E001"]
    assert "locmem" in messages[0].msg.lower()


def test_connect_timeout_passes_when_set() -> None:
    assert checks.check_connect_timeout(None) == []


def test_connect_timeout_missing_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(settings.DATABASES["default"]["OPTIONS"], "connect_timeout")
    messages = checks.check_connect_timeout(None)
    assert [message.id for message in messages] == ["core.W001"]


def test_management_check_is_clean() -> None:
    call_command("check", "--fail-level", "WARNING")


@pytest.mark.django_db
def test_session_timeouts_stored_on_the_test_database() -> None:
    assert checks.check_session_timeouts_stored(None, databases=["default"]) == []
    call_command("check", "--database", "default", "--fail-level", "WARNING")


@pytest.mark.django_db
def test_session_timeouts_not_stored_are_reported(settings: Settings) -> None:
    settings.DATABASE_SESSION_TIMEOUTS = {
        "statement_timeout": 1234,
        "idle_in_transaction_session_timeout": 60_000,
    }
    messages = checks.check_session_timeouts_stored(None, databases=["default"])
    assert [message.id for message in messages] == ["core.W002"]
    assert "found {'statement_timeout': '30000'}" in messages[0].msg
    assert "db_apply_timeouts" in str(messages[0].hint)
    assert checks.check_session_timeouts_stored(None, databases=None) == []
