"""dead_letters: what a final failure records (also with the database down), replay, purge.

Tasks run here through ``apply()``: Celery's tracer and its signals in this
process. What a real worker's retries record is proven in test_worker.py.
"""

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import kombu.exceptions
import pytest
from celery import Task
from django.conf import settings
from django.db import connection
from django.utils import timezone
from prometheus_client import REGISTRY
from pytest_django import DjangoCaptureOnCommitCallbacks
from zeal import zeal_ignore

from {{ cookiecutter.project_slug }}.dead_letters import services
from {{ cookiecutter.project_slug }}.dead_letters.models import DeadLetter
from {{ cookiecutter.project_slug }}.dead_letters.services import (
    dead_letter_record,
    dead_letters_purge,
    dead_letters_replay,
)

from config.celery import app

from tests.dead_letters.letters import letter_create
from tests.support.broker import queue_take_messages
from tests.support.database import LIVE_DATABASE, close_database_connections
from tests.support.loopback import closed_port
from tests.support.tasks import registered_task


def fail_for_good(order_id: int, *, reason: str) -> None:
    raise ValueError(f"order {order_id}: {reason}")


@pytest.fixture
def failing_task() -> Iterator[Task[Any, Any]]:
    with registered_task(fail_for_good) as task:
        yield task


def dead_lettered(task: str, stored: str) -> float:
    labels = {"task": task, "stored": stored}
    return REGISTRY.get_sample_value("tasks_dead_lettered_total", labels) or 0.0


@pytest.mark.django_db
def test_a_final_failure_is_stored_with_its_call_and_error(failing_task: Task[Any, Any]) -> None:
    before = dead_lettered(failing_task.name, "table")
    result = failing_task.apply(args=(7,), kwargs={"reason": "no stock"})
    (letter,) = DeadLetter.objects.all()
    assert (letter.task_name, letter.task_id) == (failing_task.name, result.id)
    assert (letter.args, letter.kwargs) == ([7], {"reason": "no stock"})
    assert (letter.exception_type, letter.exception_message) == ("ValueError", "order 7: no stock")
    assert 'raise ValueError(f"order {order_id}: {reason}")' in letter.traceback
    assert (letter.retries, letter.queue) == (0, settings.CELERY_TASK_DEFAULT_QUEUE)
    assert dead_lettered(failing_task.name, "table") == before + 1


@pytest.mark.django_db
def test_a_redelivered_failure_is_stored_and_counted_once() -> None:
    def record() -> DeadLetter | None:
        return dead_letter_record(
            task_name="tests.twice",
            task_id="same-id",
            args=[],
            kwargs={},
            exception=TimeoutError("slow"),
            traceback="...",
            retries=3,
            queue="default",
        )

    before = dead_lettered("tests.twice", "table")
    first = record()
    with zeal_ignore():  # the same lookup twice: in production, two deliveries
        assert record() == first
    assert DeadLetter.objects.count() == 1
    assert dead_lettered("tests.twice", "table") == before + 1


@pytest.mark.django_db
def test_a_long_traceback_keeps_its_end() -> None:
    letter = dead_letter_record(
        task_name="tests.long",
        task_id="long",
        args=[object()],  # not JSON: stored as its repr
        kwargs={},
        exception=RuntimeError("x" * 10 * services.MESSAGE_CHARS),
        traceback="frames " * 10_000 + 'File "tasks.py", line 9, in the_failing_line',
        retries=0,
        queue="default",
    )
    assert letter is not None
    assert len(letter.traceback) == services.TRACEBACK_CHARS
    assert letter.traceback.endswith("in the_failing_line")
    assert len(letter.exception_message) == services.MESSAGE_CHARS
    assert letter.args[0].startswith("<object object at")


@pytest.fixture
def database_refused() -> Iterator[None]:
    """The default connection pointed at a loopback port where nothing listens."""
    port = connection.settings_dict["PORT"]
    close_database_connections()
    connection.settings_dict["PORT"] = closed_port()
    try:
        yield
    finally:
        close_database_connections()
        connection.settings_dict["PORT"] = port
        close_database_connections()


@LIVE_DATABASE
@pytest.mark.usefixtures("database_refused")
def test_with_the_database_down_the_letter_goes_to_an_error_line(
    failing_task: Task[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    before = dead_lettered(failing_task.name, "log")
    with caplog.at_level(logging.ERROR, logger=services.__name__):
        result = failing_task.apply(args=(7,), kwargs={"reason": "no stock"})
    (line,) = [vars(r) for r in caplog.records if getattr(r, "event", "") == "dead_letter_lost"]
    assert line["levelname"] == "ERROR"
    assert (line["task_name"], line["task_id"]) == (failing_task.name, result.id)
    assert (line["task_args"], line["task_kwargs"]) == ([7], {"reason": "no stock"})
    assert (line["exception_type"], line["exception_message"]) == (
        "ValueError",
        "order 7: no stock",
    )
    assert "raise ValueError" in line["traceback"]
    assert dead_lettered(failing_task.name, "log") == before + 1


@pytest.mark.django_db
@pytest.mark.usefixtures("task_queue")
def test_a_replay_sends_the_same_call_once_after_commit(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    letter = letter_create()
    with django_capture_on_commit_callbacks(execute=True):
        (replayed,) = dead_letters_replay(ids=[letter.pk])
        assert queue_take_messages() == [], "nothing is sent before the commit"
    ((headers, args),) = queue_take_messages()
    assert (headers["task"], headers["id"], args) == (
        letter.task_name,
        replayed.replay_task_id,
        [7],
    )
    letter.refresh_from_db()
    assert letter.replayed_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        assert dead_letters_replay(ids=[letter.pk]) == []
    assert queue_take_messages() == [], "a second replay sends nothing"


@pytest.mark.django_db
def test_a_replay_the_broker_refuses_leaves_the_letter_pending(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise kombu.exceptions.OperationalError("broker unreachable")

    monkeypatch.setattr(app, "send_task", refused)
    letter = letter_create()
    with (
        pytest.raises(kombu.exceptions.OperationalError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dead_letters_replay(ids=[letter.pk])
    letter.refresh_from_db()
    assert (letter.replayed_at, letter.replay_task_id) == (None, ""), "still to be replayed"


@pytest.mark.django_db
def test_purge_by_age_by_id_or_everything() -> None:
    old = letter_create(failed_at=timezone.now() - timedelta(days=8))
    recent, other = letter_create(), letter_create()
    assert dead_letters_purge(older_than=timedelta(days=7)) == 1
    assert set(DeadLetter.objects.all()) == {recent, other}
    assert dead_letters_purge(ids=[recent.pk, old.pk]) == 1
    assert dead_letters_purge(everything=True) == 1
    assert not DeadLetter.objects.exists()


@pytest.mark.django_db
def test_purge_without_a_choice_deletes_nothing() -> None:
    letter_create()
    with pytest.raises(ValueError, match="name the dead letters to purge"):
        dead_letters_purge()
    assert DeadLetter.objects.count() == 1
