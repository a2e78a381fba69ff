"""core/telemetry/tasks.py: every task is logged and counted, carrying its request's id.

Tasks run here through ``apply()`` (Celery's tracer, with its signals, in this
process); the id's way through a real broker is read from the message itself.
"""

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery, Task
from celery.worker.request import Request
from django.conf import settings
from django.contrib.auth.models import Group
from prometheus_client import REGISTRY

from {{ cookiecutter.project_slug }}.core.telemetry import request_id
from {{ cookiecutter.project_slug }}.core.telemetry import tasks as task_telemetry

from config.celery import app as celery_app

from tests.support.broker import queue_take_messages, queue_take_raw
from tests.support.loopback import closed_port
from tests.support.tasks import registered_task


def task_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The task lines' fields, as the JSON formatter writes them."""
    return [vars(record) for record in caplog.records if getattr(record, "event", "") == "task"]


def counting(fail: bool = False) -> int:
    """Queries twice, or fails when asked to."""
    if fail:
        raise ValueError("asked to fail")
    return sum(Group.objects.filter(pk=pk).count() for pk in (1, 2))


@pytest.fixture
def counting_task() -> Iterator[Task[Any, Any]]:
    with registered_task(counting) as task:
        yield task


@pytest.mark.django_db
def test_a_task_gets_one_line_with_its_costs(
    counting_task: Task[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=task_telemetry.__name__):
        counting_task.apply()
    (line,) = task_lines(caplog)
    costs = {key: line[key] for key in ("task", "outcome", "retries", "queries")}
    assert costs == {"task": counting_task.name, "outcome": "success", "retries": 0, "queries": 2}
    assert line["duration_ms"] >= line["db_ms"] > 0
    assert len(line["request_id"]) == 32  # nobody's request: a new id


@pytest.mark.django_db
def test_outcomes_are_counted_by_task(
    counting_task: Task[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    def count(outcome: str) -> float:
        labels = {"task": counting_task.name, "outcome": outcome}
        return REGISTRY.get_sample_value("celery_tasks_total", labels) or 0.0

    success, failure = count("success"), count("failure")
    with caplog.at_level(logging.INFO, logger=task_telemetry.__name__):
        counting_task.apply()
        counting_task.apply(kwargs={"fail": True})
    assert (count("success"), count("failure")) == (success + 1, failure + 1)
    assert [line["outcome"] for line in task_lines(caplog)] == ["success", "failure"]


def refused() -> None:
    """What a task sees when the mail server or an API is down."""
    raise ConnectionRefusedError(111, "Connection refused")


@pytest.mark.django_db  # the last failure is dead-lettered
def test_a_retry_line_names_which_retry_when_and_after_what(
    caplog: pytest.LogCaptureFixture,
) -> None:
    retrying = {"autoretry_for": (ConnectionRefusedError,), "retry_backoff": True}
    with (
        registered_task(refused, **retrying, retry_jitter=False, max_retries=3) as task,
        caplog.at_level(logging.INFO, logger=task_telemetry.__name__),
    ):
        task.apply()
    retries = [line for line in task_lines(caplog) if line["outcome"] == "retry"]
    # apply() runs each retry inside the attempt before it: the last retry logs first.
    assert sorted(line["message"] for line in retries) == [
        f"task {task.name} retry 1/3 in 1.0 s after ConnectionRefusedError",
        f"task {task.name} retry 2/3 in 2.0 s after ConnectionRefusedError",
        f"task {task.name} retry 3/3 in 4.0 s after ConnectionRefusedError",
    ]
    fields = [
        (line["retry"], line["max_retries"], line["retry_in_s"], line["error"]) for line in retries
    ]
    assert sorted(fields) == [
        (1, 3, 1.0, "ConnectionRefusedError"),
        (2, 3, 2.0, "ConnectionRefusedError"),
        (3, 3, 4.0, "ConnectionRefusedError"),
    ]
    assert [line["outcome"] for line in task_lines(caplog)].count("failure") == 1


@pytest.mark.usefixtures("task_queue")
def test_the_request_id_travels_in_the_message(counting_task: Task[Any, Any]) -> None:
    token = request_id.bind("req-1234")
    try:
        counting_task.delay()
    finally:
        request_id.unbind(token)
    counting_task.delay()  # outside any request: no id to carry
    (first, _), (second, _) = queue_take_messages()
    assert first[task_telemetry.MESSAGE_HEADER] == "req-1234"
    assert task_telemetry.MESSAGE_HEADER not in second


@pytest.mark.usefixtures("task_queue")
def test_the_worker_runs_a_task_under_the_request_id_it_carries(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The message is taken off the broker and run by Celery's worker ``Request``, as a worker does."""
    seen: list[str] = []

    def remember() -> None:
        seen.append(request_id.current())

    with registered_task(remember) as task:
        token = request_id.bind("req-5678")
        try:
            task.delay()
        finally:
            request_id.unbind(token)
        (message,) = queue_take_raw()
        with caplog.at_level(logging.INFO, logger=task_telemetry.__name__):
            Request(message, app=celery_app, task=task).execute()
    assert seen == ["req-5678"], "the task ran under the id of the request that sent it"
    (line,) = task_lines(caplog)
    assert line["request_id"] == "req-5678"
    assert request_id.current() == "", "unbound once the task ended"


@pytest.mark.usefixtures("task_queue")
def test_the_queue_depth_is_asked_of_the_broker(counting_task: Task[Any, Any]) -> None:
    for _ in range(3):
        counting_task.delay()
    collector = task_telemetry.QueueDepthCollector(celery_app, [settings.CELERY_TASK_DEFAULT_QUEUE])
    samples = {sample.name: sample for family in collector.collect() for sample in family.samples}
    assert samples["celery_queue_messages"].value == 3
    assert samples["celery_queue_messages"].labels == {"queue": settings.CELERY_TASK_DEFAULT_QUEUE}
    assert samples["celery_broker_up"].value == 1


def test_a_queue_unknown_to_the_broker_holds_nothing() -> None:
    """Redis deletes an empty queue's list: an idle worker's scrape must not report the broker down."""
    collector = task_telemetry.QueueDepthCollector(
        celery_app,
        [f"{settings.CELERY_TASK_DEFAULT_QUEUE}-never-declared", "another-never-declared"],
    )
    samples = [
        (sample.name, sample.labels.get("queue"), sample.value)
        for family in collector.collect()
        for sample in family.samples
    ]
    assert samples == [
        ("celery_queue_messages", f"{settings.CELERY_TASK_DEFAULT_QUEUE}-never-declared", 0),
        ("celery_queue_messages", "another-never-declared", 0),
        ("celery_broker_up", None, 1),
    ]


def test_an_unreachable_broker_is_reported_not_raised() -> None:
    scheme = settings.CELERY_BROKER_URL.split("://")[0]
    # Not the current app: shared tasks in later tests must still reach the project's.
    with Celery(
        broker=f"{scheme}://127.0.0.1:{closed_port()}/", set_as_current=False
    ) as unreachable:
        collector = task_telemetry.QueueDepthCollector(unreachable, ["anything"])
        samples = {
            sample.name: sample.value for family in collector.collect() for sample in family.samples
        }
    assert samples == {"celery_broker_up": 0}
