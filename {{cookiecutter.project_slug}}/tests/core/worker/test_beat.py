"""Two beats side by side send each periodic task once; a standby takes over from a dead holder.

Two real `celery beat` processes with the project's scheduler (core/worker/beat.py)
and one entry due every 0.2 s (tests/core/worker/beat_settings.py) send to this
run's queue, where the test counts the messages over a window: one beat's
worth, not two. Then the lock holder is SIGKILLed, as a lost node would be, and
the other beat sends within the lock's lifetime. Without the guard both beats
send and the count doubles.
"""

import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django_redis import get_redis_connection

from {{ cookiecutter.project_slug }}.core.worker.beat import lock_key

from tests.core.worker.beat_settings import BEAT_TICK_SECONDS, BEAT_TICK_TASK
from tests.support.broker import queue_take_all
from tests.support.processes import child_environment, process_group, wait_until

pytestmark = [pytest.mark.processes, pytest.mark.usefixtures("task_queue")]

LOCK_SECONDS = 1
WINDOW_SECONDS = 1.6


@pytest.fixture
def beats(tmp_path: Path) -> Iterator[dict[int, Path]]:
    """Two `celery beat` processes (pid: log), both stopped at the end."""
    environment = child_environment(
        DJANGO_SETTINGS_MODULE="tests.core.worker.beat_settings",
        CELERY_TASK_DEFAULT_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
        CELERY_BEAT_LOCK_SECONDS=str(LOCK_SECONDS),
    )
    command = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]
    started: dict[int, Path] = {}
    with ExitStack() as stack:
        for number in (1, 2):
            log = tmp_path / f"beat{number}.log"
            process = stack.enter_context(process_group(command, log=log, env=environment))
            started[process.pid] = log
        yield started


def ticks_sent() -> int:
    return sum(1 for name, _args in queue_take_all() if name == BEAT_TICK_TASK)


def lock_holder() -> int | None:
    """The pid in the lock's token (host:pid:uuid), None when nobody holds it."""
    token = get_redis_connection("default").get(cache.make_key(lock_key()))
    return int(token.decode().split(":")[1]) if token else None


def test_two_beats_send_each_periodic_task_once(beats: dict[int, Path]) -> None:
    logs = list(beats.values())
    wait_until(
        lambda: all("beat: Starting" in log.read_text(errors="replace") for log in logs),
        "both beats to start",
        logs,
    )
    wait_until(lambda: lock_holder() in beats, "a beat to hold the lock", logs)
    # Both now tick; whatever was sent while they started is left out of the count.
    time.sleep(0.5)
    ticks_sent()
    time.sleep(WINDOW_SECONDS)
    sent = ticks_sent()
    once = WINDOW_SECONDS / BEAT_TICK_SECONDS
    assert once - 3 <= sent <= once + 2, (
        f"{sent} ticks in {WINDOW_SECONDS} s: one beat sends {once:.0f}"
    )

    holder = lock_holder()
    assert holder is not None
    os.kill(holder, signal.SIGKILL)
    killed_at = time.monotonic()
    ticks_sent()
    wait_until(lambda: ticks_sent() > 0, "the standby beat to send", logs)
    took_over_after = time.monotonic() - killed_at
    assert lock_holder() in set(beats) - {holder}
    assert took_over_after < LOCK_SECONDS + 1.5, f"took over after {took_over_after:.1f} s"
