"""core/worker/checks.py: each task as Celery runs it is acknowledged late, re-queued and bounded."""

from collections.abc import Iterator
from typing import Any

import pytest
from celery import Task
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.worker import checks as celery

from config.celery import app as celery_app

from tests.support.checks import ids
from tests.support.tasks import registered_task


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
