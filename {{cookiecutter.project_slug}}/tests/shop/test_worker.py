"""A worker killed mid-run loses no task, and the redeliveries change nothing.

Real worker processes on the configured broker (127.0.0.1), the test database
(committed data: a transactional test) and this run's own queue. Each task
takes a moment in the first worker (tests/shop/worker_settings.py), which is
killed with SIGKILL while it runs them; a second one starts and must finish
them all.
{%- if cookiecutter.celery_broker == 'redis' %}
Redis hands a dead worker's messages out again after the visibility timeout,
which the test settings shorten to seconds.
{%- else %}
RabbitMQ hands a dead worker's unacknowledged messages out again as soon as
its connection drops.
{%- endif %}
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

from {{ cookiecutter.project_slug }}.shop.models import Order
from {{ cookiecutter.project_slug }}.shop.tasks import order_confirm

from tests.support.processes import child_environment

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("task_queue")]

PROJECT = Path(__file__).resolve().parent.parent.parent
ORDERS = 30
# Seconds a confirmation mail takes: the first worker (2 processes) needs over
# two seconds for all, so it dies mid-run; the second one finishes quickly.
FIRST_MAIL_SECONDS = 0.15
SECOND_MAIL_SECONDS = 0.01
WAIT_SECONDS = 20  # per phase; a passing run takes a few seconds in all


def worker_environment(mail_seconds: float) -> dict[str, str]:
    """The test settings, the test database and this run's queue."""
    return child_environment(
        DJANGO_SETTINGS_MODULE="tests.shop.worker_settings",
        CELERY_TASK_DEFAULT_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
        TEST_MAIL_SECONDS=str(mail_seconds),
    )


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[int, float], subprocess.Popen[bytes]]]:
    """Start `celery worker` processes in their own process groups; kill them all at the end."""
    started: list[subprocess.Popen[bytes]] = []

    def start(concurrency: int, mail_seconds: float) -> subprocess.Popen[bytes]:
        command = [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING"),
            *("--pool=prefork", f"--concurrency={concurrency}"),
            # No waiting for other workers' replies at start-up: nothing to sync with here.
            *("--without-mingle", "--without-gossip", "--without-heartbeat"),
        ]
        with (tmp_path / f"worker-{len(started)}.log").open("wb") as log:
            worker = subprocess.Popen(
                command,
                cwd=PROJECT,
                env=worker_environment(mail_seconds),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        kill(worker)


def kill(worker: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker and its pool processes at once: no warm shutdown, no goodbye."""
    try:
        os.killpg(worker.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    worker.wait(timeout=10)


def wait_until(condition: Callable[[], bool], what: str, logs: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(
                f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
                for log in sorted(logs.glob("worker-*.log"))
            )
            pytest.fail(f"gave up after {WAIT_SECONDS} s waiting for {what}\n{tails}")
        time.sleep(0.05)


def confirmed() -> int:
    return Order.objects.filter(confirmation_sent_at__isnull=False).count()


def test_killed_worker_loses_no_task(
    start_worker: Callable[[int, float], subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    orders = Order.objects.bulk_create(
        Order(customer_email=f"buyer{index}@example.com") for index in range(ORDERS)
    )
    for order in orders:
        order_confirm.delay(order.pk)

    first = start_worker(2, FIRST_MAIL_SECONDS)
    wait_until(lambda: confirmed() >= 2, "the first worker to confirm a few orders", tmp_path)
    kill(first)
    assert confirmed() < ORDERS, "the worker was killed after it had finished"

    start_worker(1, SECOND_MAIL_SECONDS)
    wait_until(lambda: confirmed() == ORDERS, "every order to be confirmed", tmp_path)
    sent_at = dict(Order.objects.values_list("pk", "confirmation_sent_at"))

    # Every task once more, then a last new order: one pool process runs the queue
    # in order, so when the last order is confirmed every duplicate has run.
    last = Order.objects.create(customer_email="last@example.com")
    for order in orders:
        order_confirm.delay(order.pk)
    order_confirm.delay(last.pk)
    wait_until(lambda: confirmed() == ORDERS + 1, "the last order to be confirmed", tmp_path)
    after = dict(Order.objects.exclude(pk=last.pk).values_list("pk", "confirmation_sent_at"))
    assert after == sent_at, "a duplicate delivery sent a confirmation again"
