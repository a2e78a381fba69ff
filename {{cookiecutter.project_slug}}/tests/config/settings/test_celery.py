"""Celery: the configuration the README promises is what the app and a production worker get.

The broker's own settings are checked in test_celery_broker.py.
"""

import json
import os
from typing import Any

import pytest
from django.conf import settings

from config.celery import app as celery_app

from tests.support.environments import production_environment
from tests.support.processes import python_child
from tests.support.readme import missing_facts

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


def production_worker_conf(keys: list[str]) -> dict[str, Any]:
    """The Celery configuration a new interpreter reads with production settings.

    The real start-up path: a fresh process, the production settings module,
    django.setup(), the Celery app; in-process imports of the settings are not
    proof that a process starts.
    """
    result = python_child(
        "import json\n"
        "from config.celery import app\n"
        f"print(json.dumps([app.conf[key] for key in {keys!r}]))\n",
        env={"PATH": os.environ["PATH"], **production_environment()},
    )
    assert result.returncode == 0, result.stderr
    return dict(zip(keys, json.loads(result.stdout.splitlines()[-1]), strict=True))


@pytest.mark.processes
def test_a_fresh_production_process_gets_at_least_once_delivery() -> None:
    conf = production_worker_conf(
        [*AT_LEAST_ONCE, "broker_transport_options", "task_default_queue"]
    )
    assert {key: conf[key] for key in AT_LEAST_ONCE} == AT_LEAST_ONCE
    # The broker options test_celery_broker.py pins for the test app, in production too.
    assert conf["broker_transport_options"] == celery_app.conf.broker_transport_options
    # Undeclared, the queue is the project's own, not Celery's shared default "celery".
    assert conf["task_default_queue"] == "{{ cookiecutter.project_slug }}"


def test_test_app_uses_the_same_delivery_settings() -> None:
    assert {key: celery_app.conf[key] for key in AT_LEAST_ONCE} == AT_LEAST_ONCE
    assert celery_app.conf.task_default_queue == settings.CELERY_TASK_DEFAULT_QUEUE
    assert settings.CELERY_TASK_DEFAULT_QUEUE != "{{ cookiecutter.project_slug }}"


def test_readme_states_the_effective_settings() -> None:
    promised = {
        key: value
        for key, value in AT_LEAST_ONCE.items()
        if key.startswith(("task_", "worker_prefetch"))
    }
    assert missing_facts("docs/worker.md", promised) == []
