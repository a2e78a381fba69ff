"""A pool process killed mid-task loses no task, and a redelivery changes nothing.

A real worker (prefork, one pool process) on the configured broker
(127.0.0.1), the test database (committed data: a transactional test) and
this run's own queue. The mail of one order is held on cue
(tests/shop/mail.py, VictimBackend) until the test SIGKILLs the pool process
sending it, as the OOM killer would: the worker's main process stays up. With
late acknowledgement and reject-on-worker-lost (config/settings/celery.py) the
message goes back to the queue and the pool process the worker starts in its
place confirms the order; without either, the task is lost and the test fails.
The worker notices a lost pool process at once or, at worst, at its pool
maintenance tick (every 5 s): the test takes 2 to 8 s.
"""

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from {{ cookiecutter.project_slug }}.shop.models import Order
from {{ cookiecutter.project_slug }}.shop.tasks import order_confirm

from tests.shop.mail import VictimBackend
from tests.support.processes import celery_worker, wait_until

pytestmark = [
    pytest.mark.processes,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("task_queue"),
]

ORDERS = 10


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A `celery worker` with one pool process; stopped (all of it) at the end."""
    with celery_worker(
        "--pool=prefork",
        "--concurrency=1",
        log=tmp_path / "worker.log",
        DJANGO_SETTINGS_MODULE="tests.shop.worker_settings",
        TEST_MAIL_MARKER=str(tmp_path / "victim.pid"),
    ) as process:
        yield process


def pool_processes(worker_pid: int) -> set[int]:
    """The worker's child processes (its prefork pool), from /proc."""
    children = Path(f"/proc/{worker_pid}/task/{worker_pid}/children").read_text()
    return {int(pid) for pid in children.split()}


def confirmed() -> int:
    return Order.objects.filter(confirmation_sent_at__isnull=False).count()


def test_killed_pool_process_loses_no_task(worker: subprocess.Popen[bytes], tmp_path: Path) -> None:
    log, marker = tmp_path / "worker.log", tmp_path / "victim.pid"
    victim = Order.objects.create(customer_email=VictimBackend.VICTIM)
    orders = Order.objects.bulk_create(
        Order(customer_email=f"buyer{index}@example.com") for index in range(ORDERS)
    )
    order_confirm.delay(victim.pk)
    for order in orders:
        order_confirm.delay(order.pk)

    wait_until(marker.exists, "a pool process to start the victim's mail", [log])
    wait_until(lambda: marker.read_text().isdigit(), "the pid in the marker", [log])
    sending = int(marker.read_text())
    assert sending in pool_processes(worker.pid), "a pool process, not the worker itself"
    os.kill(sending, signal.SIGKILL)

    wait_until(lambda: confirmed() == ORDERS + 1, "every order, the victim's too, confirmed", [log])
    assert worker.poll() is None, "the worker itself kept running"
    sent_at = dict(Order.objects.values_list("pk", "confirmation_sent_at"))

    # Every task once more, then a last new order: when the last one is confirmed,
    # every duplicate has been taken, and none may send a confirmation again.
    last = Order.objects.create(customer_email="last@example.com")
    for order in [victim, *orders]:
        order_confirm.delay(order.pk)
    order_confirm.delay(last.pk)
    wait_until(lambda: confirmed() == ORDERS + 2, "the last order to be confirmed", [log])
    after = dict(Order.objects.exclude(pk=last.pk).values_list("pk", "confirmation_sent_at"))
    assert after == sent_at, "a duplicate delivery sent a confirmation again"
