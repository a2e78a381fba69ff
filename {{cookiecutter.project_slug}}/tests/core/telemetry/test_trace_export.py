"""A Celery pool process sends its spans before it exits, and starts its SDK after its fork.

A real worker (prefork) exports to a loopback OTLP/HTTP receiver
(tests/support/otlp.py) with the SDK's default batch delay (5 s). It runs one
short task and gets SIGTERM as soon as the task is done, as an orchestrator
stops a container: a pool process ends without atexit handlers, so only the
flush at ``worker_process_shutdown`` (config/celery.py) sends the task's spans.
The task is sent from this process, recording (``spans``): its sampled publish
span makes the worker keep the trace (parent-based), and the worker's run span
joins it.
"""

import signal
import subprocess
from pathlib import Path

import pytest

from tests.core.worker.shutdown_worker import nap
from tests.support.image import image_environment
from tests.support.otlp import otlp_collector
from tests.support.processes import WAIT_SECONDS, celery_worker, wait_until
from tests.support.traces import Spans, trace_id_of


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("task_queue")
def test_a_task_finished_just_before_sigterm_still_exports_its_spans(
    tmp_path: Path, spans: Spans
) -> None:
    log = tmp_path / "worker.log"
    with otlp_collector() as collector:
        with celery_worker(
            "--pool=prefork",
            "--concurrency=1",
            log=log,
            loglevel="INFO",
            # As the image starts it (REMAP_SIGTERM among its ENV), its settings here.
            **image_environment(
                DJANGO_SETTINGS_MODULE="tests.core.worker.shutdown_worker_settings",
                PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
            ),
            # Nothing runs at SIGTERM: the worker need not wait out production's 20 s.
            CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT="2",
            OTEL_EXPORTER_OTLP_ENDPOINT=collector.url,
            OTEL_SERVICE_NAME="the-worker",
        ) as worker:
            nap.delay(0.05, str(tmp_path), "short")
            wait_until((tmp_path / "short.done").exists, "the task to finish", [log])
            worker.send_signal(signal.SIGTERM)
            try:
                # Bounded generously: on RabbitMQ a stop took up to 16 s on a busy machine.
                worker.wait(timeout=2 * WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                pytest.fail(f"the worker did not stop\n{log.read_text(errors='replace')[-3000:]}")
        run = collector.named(f"run/{nap.name}")
    assert [span.service for span in run] == ["the-worker"], (
        f"the task's span was lost at exit; received {[s.name for s in collector.spans]}\n"
        + log.read_text(errors="replace")[-3000:]
    )
    assert run[0].trace_id == trace_id_of(spans.named(f"apply_async/{nap.name}"))
