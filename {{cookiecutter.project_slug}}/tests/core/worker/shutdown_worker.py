"""What the worker of test_worker_shutdown.py runs: a nap that leaves a trace of its start and end."""

import time
from pathlib import Path

from celery import shared_task


@shared_task
def nap(seconds: float, traces: str, name: str) -> None:
    """Sleep ``seconds`` (bounded by the caller), writing ``name``.started and ``name``.done."""
    (Path(traces) / f"{name}.started").touch()
    time.sleep(seconds)
    (Path(traces) / f"{name}.done").touch()
