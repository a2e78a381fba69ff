"""Celery: the configuration the README promises is what the app and a production worker get."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

from config.celery import app as celery_app

PROJECT = Path(__file__).resolve().parent.parent

# What config/settings/celery.py promises, value by value.
AT_LEAST_ONCE = {
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "worker_prefetch_multiplier": 1,
    "task_soft_time_limit": 60,
    "task_time_limit": 90,
    "broker_connection_retry_on_startup": True,
    "worker_cancel_long_running_tasks_on_connection_loss": True,
    "accept_content": ["json"],
    "task_serializer": "json",
    "result_serializer": "json",
    "worker_hijack_root_logger": False,
}
{%- if cookiecutter.celery_broker == 'redis' %}
# Longest retry countdown (120 s) plus two hard limits (2 x 90 s), doubled for margin.
TRANSPORT_OPTIONS: dict[str, Any] = {
    "visibility_timeout": 600,
    "socket_timeout": 5,
    "socket_connect_timeout": 5,
}
{%- else %}
TRANSPORT_OPTIONS: dict[str, Any] = {"confirm_publish": True}
{%- endif %}


def production_conf() -> dict[str, Any]:
    """The Celery configuration a production worker process reads at start-up."""
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "p" * 60,
        "DJANGO_ALLOWED_HOSTS": "service.example.com",
        "DATABASE_URL": "postgres://app:secret@db.internal:5432/app",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    keys = [*AT_LEAST_ONCE, "broker_transport_options", "task_default_queue"]
    code = (
        "import json, django; django.setup(); from config.celery import app; "
        f"print(json.dumps([app.conf[key] for key in {keys!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(zip(keys, json.loads(result.stdout), strict=True))


def test_production_worker_gets_at_least_once_delivery() -> None:
    conf = production_conf()
    assert {key: conf[key] for key in AT_LEAST_ONCE} == AT_LEAST_ONCE
    assert conf["broker_transport_options"] == TRANSPORT_OPTIONS
    # Undeclared, the queue is the project's own, not Celery's shared default "celery".
    assert conf["task_default_queue"] == "{{ cookiecutter.project_slug }}"


def test_test_app_uses_the_same_delivery_settings() -> None:
    assert {key: celery_app.conf[key] for key in AT_LEAST_ONCE} == AT_LEAST_ONCE
    assert celery_app.conf.task_default_queue == settings.CELERY_TASK_DEFAULT_QUEUE
    assert settings.CELERY_TASK_DEFAULT_QUEUE != "{{ cookiecutter.project_slug }}"
{%- if cookiecutter.celery_broker == 'redis' %}


def test_visibility_timeout_outlasts_retries_and_run_time() -> None:
    longest_unacked = settings.TASK_RETRY_BACKOFF_MAX + 2 * settings.CELERY_TASK_TIME_LIMIT
    assert TRANSPORT_OPTIONS["visibility_timeout"] > longest_unacked
{%- else %}


def test_publisher_confirms_reach_the_driver() -> None:
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)
        assert connection.connection.confirm_publish is True
{%- endif %}


def test_readme_states_the_effective_settings() -> None:
    readme = (PROJECT / "README.md").read_text()
    celery_section = readme.split("### Celery", 1)[1]
    settings_promised = {**AT_LEAST_ONCE, **TRANSPORT_OPTIONS}
    promised = [
        f"`{key}={settings_promised[key]}`"
        for key in settings_promised
        if key.startswith(("task_", "worker_prefetch", "visibility", "confirm"))
    ]
    missing = [fact for fact in promised if fact not in celery_section]
    assert missing == []
