"""A worker sent SIGTERM finishes its short tasks and hands its long ones back at once.

A real worker (two pool processes) on the configured broker and this run's
queue runs a short nap and a long one (tests/core/worker/shutdown_worker.py), then
gets SIGTERM, as an orchestrator stops a container. With REMAP_SIGTERM=SIGQUIT
and the soft shutdown timeout (config/settings/celery.py), the short nap
finishes within the timeout, the long one is cancelled and its message is back
on the queue within seconds, for another worker. Without the remap the worker
waits for the long nap (the orchestrator's SIGKILL would cut it off); without
the soft timeout the short nap is cut off too. The broker's own redelivery is
kept out of the proof: Redis's visibility timeout stays at 600 s.
A worker started without the remap warns, and refuses in production (core.E018).
"""

import signal
import subprocess
import time
from pathlib import Path

import billiard.common
import pytest
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core import process
from {{ cookiecutter.project_slug }}.core.worker.checks import check_worker_shutdown

from tests.core.worker.shutdown_worker import nap
from tests.support.broker import queue_take_messages
from tests.support.image import image_environment
from tests.support.processes import celery_worker, wait_until

SOFT_SHUTDOWN_SECONDS = 2
SHORT_NAP, LONG_NAP = 0.5, 60.0


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("task_queue")
def test_sigterm_finishes_short_tasks_and_requeues_long_ones_at_once(tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    nap.delay(LONG_NAP, str(tmp_path), "long")
    nap.delay(SHORT_NAP, str(tmp_path), "short")
    with celery_worker(
        "--pool=prefork",
        "--concurrency=2",
        log=log,
        loglevel="INFO",
        # As the image starts it: its ENV (REMAP_SIGTERM among them), its settings here.
        **image_environment(
            DJANGO_SETTINGS_MODULE="tests.core.worker.shutdown_worker_settings",
            PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
        ),
        CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT=str(SOFT_SHUTDOWN_SECONDS),
    ) as worker:
        started = [tmp_path / "long.started", tmp_path / "short.started"]
        wait_until(lambda: all(path.exists() for path in started), "both naps to start", [log])
        stopped_at = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=SOFT_SHUTDOWN_SECONDS + 10)
        except subprocess.TimeoutExpired:
            pytest.fail(
                "the worker still waits for its long task after SIGTERM: an orchestrator "
                f"would SIGKILL it\n--- worker log\n{log.read_text(errors='replace')[-3000:]}"
            )
        exited_after = time.monotonic() - stopped_at

        requeued: list[list[object]] = []

        def long_nap_requeued() -> bool:
            requeued.extend(args for _headers, args in queue_take_messages())
            return bool(requeued)

        wait_until(long_nap_requeued, "the long nap's message back on the queue", [log])
        back_after = time.monotonic() - stopped_at
    assert (tmp_path / "short.done").exists(), "the short nap finished within the soft timeout"
    assert not (tmp_path / "long.done").exists()
    assert [args[2] for args in requeued] == ["long"], "only the long nap goes back"
    assert exited_after >= SHORT_NAP, "the worker waited for the short nap"
    # Seconds, not the 600 s visibility timeout (Redis) or a consumer timeout (RabbitMQ).
    assert back_after < SOFT_SHUTDOWN_SECONDS + 10


def test_a_worker_whose_sigterm_waits_for_its_tasks_is_refused_in_production(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(billiard.common, "REMAP_SIGTERM", None)
    assert check_worker_shutdown(None) == []  # not a worker
    monkeypatch.setattr(process, "INTERFACE", "celery")
    assert [message.id for message in check_worker_shutdown(None)] == ["core.W018"]
    settings.ENVIRONMENT = "production"
    assert [message.id for message in check_worker_shutdown(None)] == ["core.E018"]
    monkeypatch.setattr(billiard.common, "REMAP_SIGTERM", "SIGQUIT")
    assert check_worker_shutdown(None) == []
