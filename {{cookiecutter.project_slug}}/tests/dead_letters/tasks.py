"""Tasks only the dead-letter tests send; their worker loads this module (``--include``).

Each appends its retry count to the file it is given, so a test sees every
attempt the worker made. The retry budget is tiny (one retry, no delay): a
task runs out of retries in milliseconds, as a production task would in minutes.
"""

import time
from pathlib import Path
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded


def attempts_made(path: Path) -> list[int]:
    """The retry count of each attempt so far, in order."""
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def _attempt(task: Task[Any, Any], path: str) -> None:
    with Path(path).open("a") as attempts:
        attempts.write(f"{task.request.retries}\n")


@shared_task(bind=True, autoretry_for=(ConnectionError,), max_retries=1, default_retry_delay=0)
def carrier_down(self: Task[Any, Any], attempts: str) -> None:
    """A transient error at every attempt: out of retries after the second."""
    _attempt(self, attempts)
    raise ConnectionError("the carrier is down")


@shared_task(bind=True, autoretry_for=(ConnectionError,), max_retries=1, default_retry_delay=0)
def carrier_back_on_retry(self: Task[Any, Any], attempts: str) -> None:
    """A transient error at the first attempt only: the retry succeeds."""
    _attempt(self, attempts)
    if self.request.retries == 0:
        raise ConnectionError("the carrier is down, briefly")


@shared_task
def hangs(traces: str) -> None:
    """Hangs (a call without a timeout, say); at the soft limit its cleanup hangs too.

    Leaves ``started``, then ``soft`` when the soft limit interrupts it; ``done``
    only if nothing stopped it. Bounded by the worker the test stops.
    """
    folder = Path(traces)
    (folder / "started").touch()
    try:
        time.sleep(30)
    except SoftTimeLimitExceeded:
        (folder / "soft").touch()
        time.sleep(30)  # the cleanup hangs as well: the hard limit ends the process
    (folder / "done").touch()
