"""config/settings/celery_broker.py (Redis): acknowledgements emulated, so the visibility timeout matters."""

from typing import Any

from django.conf import settings

from config.celery import app as celery_app

from tests.support.readme import missing_facts

# Longest retry countdown (120 s) plus two hard limits (2 x 90 s), doubled for margin.
TRANSPORT_OPTIONS: dict[str, Any] = {
    "visibility_timeout": 600,
    "socket_timeout": 5,
    "socket_connect_timeout": 5,
}


def test_app_gets_the_promised_transport_options() -> None:
    assert celery_app.conf.broker_transport_options == TRANSPORT_OPTIONS


def test_visibility_timeout_outlasts_retries_and_run_time() -> None:
    longest_unacked = settings.TASK_RETRY_BACKOFF_MAX + 2 * settings.CELERY_TASK_TIME_LIMIT
    assert TRANSPORT_OPTIONS["visibility_timeout"] > longest_unacked


def test_readme_states_the_visibility_timeout() -> None:
    assert missing_facts("docs/worker.md", {"visibility_timeout": 600}) == []
