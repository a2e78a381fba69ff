"""A real worker: a task out of retries lands one dead letter; a replay runs it again;
a hung task is stopped by its time limits and lands one too.

One `celery worker` (prefork, one pool process) for the module, on the real
broker, this run's queue and the test database (committed data: transactional
tests), with its metrics port, as production runs it. Each test waits for what
the worker does, bounded; a passing module takes a few seconds.
"""

import http.client
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from {{ cookiecutter.project_slug }}.dead_letters.models import DeadLetter
from {{ cookiecutter.project_slug }}.dead_letters.services import dead_letters_replay

from tests.dead_letters.tasks import attempts_made, carrier_back_on_retry, carrier_down, hangs
from tests.support.loopback import HOST, closed_port
from tests.support.processes import celery_worker, wait_until

pytestmark = [
    pytest.mark.processes,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("task_queue"),
]


class Worker:
    def __init__(self, process: subprocess.Popen[bytes], log: Path, metrics_port: int) -> None:
        self.process, self.log, self.metrics_port = process, log, metrics_port

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        wait_until(condition, what, [self.log], process=self.process)

    def dead_lettered(self, task: str) -> float | None:
        """tasks_dead_lettered_total{task, stored="table"} on the worker's metrics port."""
        connection = http.client.HTTPConnection(HOST, self.metrics_port, timeout=5)
        try:
            connection.request("GET", "/metrics")
            page = connection.getresponse().read().decode()
        except OSError:
            return None  # not serving yet
        finally:
            connection.close()
        for family in text_string_to_metric_families(page):
            for sample in family.samples:
                if sample.name == "tasks_dead_lettered_total" and sample.labels == {
                    "task": task,
                    "stored": "table",
                }:
                    return sample.value
        return None


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None) -> Iterator[Worker]:
    """A `celery worker` with one pool process and this module's tasks; all of it stopped at the end.

    After django_db_setup: the worker must get the test database's name.
    """
    directory = tmp_path_factory.mktemp("dead-letter-worker")
    metrics_port = closed_port()  # free now; the worker binds it
    log = directory / "worker.log"
    with celery_worker(
        "--pool=prefork",
        "--concurrency=1",
        "--include=tests.dead_letters.tasks",
        log=log,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        CELERY_WORKER_METRICS_BIND=f"{HOST}:{metrics_port}",
        PROMETHEUS_MULTIPROC_DIR=str(directory / "metrics"),
    ) as process:
        yield Worker(process, log, metrics_port)


def test_a_task_out_of_retries_lands_one_dead_letter(worker: Worker, tmp_path: Path) -> None:
    recovers, fails = tmp_path / "recovers", tmp_path / "fails"
    before = worker.dead_lettered(carrier_down.name) or 0.0
    carrier_back_on_retry.delay(str(recovers))
    carrier_down.delay(str(fails))

    worker.wait_until(lambda: attempts_made(recovers) == [0, 1], "the retry that succeeds")
    worker.wait_until(DeadLetter.objects.exists, "a dead letter")
    (letter,) = DeadLetter.objects.all()  # none for the task whose retry succeeded
    assert attempts_made(fails) == [0, 1], "recorded after its last retry, not before"
    assert (letter.task_name, letter.args, letter.kwargs) == (carrier_down.name, [str(fails)], {})
    assert (letter.exception_type, letter.exception_message) == (
        "ConnectionError",
        "the carrier is down",
    )
    assert (letter.retries, letter.queue) == (1, settings.CELERY_TASK_DEFAULT_QUEUE)
    assert "raise ConnectionError" in letter.traceback
    worker.wait_until(
        lambda: worker.dead_lettered(carrier_down.name) == before + 1, "the metric on the port"
    )
    assert worker.dead_lettered(carrier_back_on_retry.name) is None


def test_a_replayed_task_runs_again(worker: Worker, tmp_path: Path) -> None:
    fails = tmp_path / "fails"
    # Read before sending: the worker stores the letter, then counts it.
    before = worker.dead_lettered(carrier_down.name) or 0.0
    carrier_down.delay(str(fails))
    worker.wait_until(DeadLetter.objects.exists, "the first dead letter")
    first = DeadLetter.objects.get()
    worker.wait_until(
        lambda: worker.dead_lettered(carrier_down.name) == before + 1, "the first letter counted"
    )

    (replayed,) = dead_letters_replay(ids=[first.pk])

    # Sent again with the same arguments: it runs (and fails) twice more, a new letter.
    worker.wait_until(lambda: DeadLetter.objects.count() == 2, "the replay's own dead letter")
    assert attempts_made(fails) == [0, 1, 0, 1]
    again = DeadLetter.objects.exclude(pk=first.pk).get()
    assert (again.task_id, again.args) == (replayed.replay_task_id, first.args)
    first.refresh_from_db()
    assert first.replayed_at is not None
    worker.wait_until(
        lambda: worker.dead_lettered(carrier_down.name) == before + 2, "the replay counted"
    )


def test_a_hung_task_is_stopped_by_its_time_limits_and_lands_a_dead_letter(
    worker: Worker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limits every task gets from config/settings/celery.py (through the app, into each
    message it sends), thirty times shorter: 2 s soft, 3 s hard. The soft one interrupts the
    task, the hard one ends its process when the cleanup hangs too. A task without limits
    would hang here until the worker is stopped."""
    for option in ("soft_time_limit", "time_limit"):
        limit = getattr(hangs, option)
        monkeypatch.setattr(hangs, option, int(limit) // 30 if limit else None)
    hangs.delay(str(tmp_path))
    worker.wait_until((tmp_path / "soft").exists, "the soft limit raised inside the task")
    worker.wait_until(DeadLetter.objects.exists, "a dead letter for the hard limit")
    letter = DeadLetter.objects.get()
    assert (letter.task_name, letter.exception_type) == (
        hangs.name,
        "billiard.exceptions.TimeLimitExceeded",
    )
    assert not (tmp_path / "done").exists()
