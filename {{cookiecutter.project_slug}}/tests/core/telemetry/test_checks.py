"""core/telemetry/checks.py: a worker scrape that would miss its pool, and the toolbar outside development, are refused."""

import pytest
from django.conf import settings
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core import process
from {{ cookiecutter.project_slug }}.core.telemetry import checks as telemetry

from tests.support.checks import ids


def test_worker_metrics_without_the_shared_directory_are_refused(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.WORKER_METRICS_BIND = "127.0.0.1:9101"
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert telemetry.check_worker_metrics(None) == []  # not a worker
    monkeypatch.setattr(process, "INTERFACE", "celery")
    assert ids(telemetry.check_worker_metrics(None)) == ["core.E013"]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/tmp/worker-metrics")  # noqa: S108
    assert telemetry.check_worker_metrics(None) == []


def test_the_debug_toolbar_without_debug_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Set on django.conf.settings directly: the settings fixture would re-populate the
    # app registry, running every AppConfig.ready() (and zeal's patching) a second time.
    monkeypatch.setattr(settings, "INSTALLED_APPS", [*settings.INSTALLED_APPS, "debug_toolbar"])
    assert ids(telemetry.check_debug_toolbar(None)) == ["core.E012"]
    monkeypatch.setattr(settings, "DEBUG", True)
    assert telemetry.check_debug_toolbar(None) == []
