"""config/settings/server.py: shutdowns that end before the orchestrator's SIGKILL, or no start."""

import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.config.test_env import import_production_settings


def test_timeouts_not_below_the_grace_period_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        import_production_settings(
            monkeypatch, WEB_GRACEFUL_TIMEOUT="30", CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT="45"
        )
    message = str(refused.value)
    assert (
        "WEB_GRACEFUL_TIMEOUT='30' is invalid (not below ORCHESTRATOR_GRACE_SECONDS=30)" in message
    )
    assert (
        "CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT='45.0' is invalid "
        "(not below ORCHESTRATOR_GRACE_SECONDS=30)" in message
    )


def test_a_longer_grace_period_admits_longer_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    import_production_settings(
        monkeypatch,
        WEB_GRACEFUL_TIMEOUT="30",
        CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT="45",
        ORCHESTRATOR_GRACE_SECONDS="60",
    )
    production = sys.modules["config.settings.production"]
    assert (production.WEB_GRACEFUL_TIMEOUT, production.CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT) == (
        30,
        45,
    )
