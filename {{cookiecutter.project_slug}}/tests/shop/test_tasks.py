"""order_confirm: transient errors retried with capped exponential back-off, others not; idempotent.

Eager mode with propagation would raise on the first failure and never retry,
so these tests call task.apply(), which runs every retry in-process, and count
the attempts and the countdowns Celery computed.
"""

import random
import smtplib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Task
from django.conf import settings
from django.core import mail
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.shop.models import Order
from {{ cookiecutter.project_slug }}.shop.tasks import (
    order_confirm,
    products_image_count_refresh,
)

from config.celery import app as celery_app

from tests.shop.mail import FlakyBackend

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parent.parent.parent

# 1, 2, 4 ... 64, then the cap: the ceiling of each retry's jittered countdown
# (the last one is asked for and refused: max_retries is reached).
BACKOFF_CEILINGS = [
    min(settings.TASK_RETRY_BACKOFF_MAX, 2**retry) for retry in range(settings.TASK_MAX_RETRIES + 1)
]


@pytest.fixture
def order() -> Order:
    return Order.objects.create(customer_email="buyer@example.com")


@pytest.fixture
def flaky_mail(settings: Settings) -> Iterator[type[FlakyBackend]]:
    if settings.MAILERS_SUPPORTED:  # config/settings/mail.py
        settings.MAILERS = {"default": {"BACKEND": "tests.shop.mail.FlakyBackend"}}
    else:
        settings.EMAIL_BACKEND = "tests.shop.mail.FlakyBackend"
    FlakyBackend.errors, FlakyBackend.attempts = [], 0
    yield FlakyBackend
    FlakyBackend.errors, FlakyBackend.attempts = [], 0


@pytest.fixture
def countdowns(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The countdown of every retry the task asks for (it calls task.retry)."""
    task: Task[Any, Any] = celery_app.tasks[order_confirm.name]
    asked: list[float] = []
    retry = task.retry

    def recording_retry(*args: Any, **kwargs: Any) -> Any:
        asked.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr(task, "retry", recording_retry)
    return asked


def test_transient_errors_are_retried_with_exponential_backoff(
    order: Order,
    flaky_mail: type[FlakyBackend],
    countdowns: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Full jitter draws each countdown below a ceiling; pin it to the ceiling.
    monkeypatch.setattr(random, "randrange", lambda stop: stop - 1)
    flaky_mail.errors = [
        ConnectionRefusedError(),
        TimeoutError(),
        smtplib.SMTPServerDisconnected(),
    ]
    result = order_confirm.apply(args=(order.pk,))
    assert result.successful(), result.traceback
    assert result.result is True
    assert flaky_mail.attempts == 4
    assert countdowns == [1, 2, 4]
    assert len(mail.outbox) == 1


def test_retries_are_bounded_capped_and_jittered(
    order: Order, flaky_mail: type[FlakyBackend], countdowns: list[float]
) -> None:
    flaky_mail.errors = [ConnectionResetError() for _ in range(50)]
    result = order_confirm.apply(args=(order.pk,))
    assert result.failed()
    assert isinstance(result.result, ConnectionResetError)
    assert flaky_mail.attempts == settings.TASK_MAX_RETRIES + 1
    assert len(countdowns) == settings.TASK_MAX_RETRIES + 1
    assert BACKOFF_CEILINGS[-1] == settings.TASK_RETRY_BACKOFF_MAX, "the cap is reached"
    assert all(
        0 <= countdown <= ceiling
        for countdown, ceiling in zip(countdowns, BACKOFF_CEILINGS, strict=True)
    )
    order.refresh_from_db()
    assert order.confirmation_sent_at is None


def test_permanent_errors_are_not_retried(
    order: Order, flaky_mail: type[FlakyBackend], countdowns: list[float]
) -> None:
    flaky_mail.errors = [
        smtplib.SMTPRecipientsRefused({"buyer@example.com": (550, b"No such user")})
    ]
    result = order_confirm.apply(args=(order.pk,))
    assert result.failed()
    assert isinstance(result.result, smtplib.SMTPRecipientsRefused)
    assert flaky_mail.attempts == 1
    assert countdowns == []


def test_second_run_after_success_sends_nothing(order: Order) -> None:
    assert order_confirm.apply(args=(order.pk,)).result is True
    order.refresh_from_db()
    sent_at = order.confirmation_sent_at
    assert sent_at is not None
    assert order.status == Order.Status.CONFIRMED

    assert order_confirm.apply(args=(order.pk,)).result is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["buyer@example.com"]
    order.refresh_from_db()
    assert order.confirmation_sent_at == sent_at


def test_unknown_order_sends_nothing() -> None:
    assert order_confirm.apply(args=(999_999,)).result is False
    assert mail.outbox == []


def test_readme_states_the_retry_policy() -> None:
    readme = (PROJECT / "docs" / "worker.md").read_text()
    assert f"capped at {settings.TASK_RETRY_BACKOFF_MAX} s" in readme
    assert f"{settings.TASK_MAX_RETRIES} retries at most" in readme


def test_beat_schedule_names_registered_tasks() -> None:
    scheduled = [entry["task"] for entry in celery_app.conf.beat_schedule.values()]
    assert scheduled == [products_image_count_refresh.name]
    assert all(name in celery_app.tasks for name in scheduled)
