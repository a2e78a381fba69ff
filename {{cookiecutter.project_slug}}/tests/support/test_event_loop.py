"""loop_holds reports a callback that blocks its loop, and not one a busy machine kept waiting.

The busy machine is made on purpose, so the proof does not depend on the load
of the moment: the callback's thread moves to one CPU beside a CPU hog, niced
below it, so it is ready to run most of the time and given the CPU little of
it, as on a loaded runner. It runs in a fresh process, so that no thread of
the test run holds the GIL it needs (waiting for the GIL is not waiting for a
CPU, and counts as holding the loop).
"""

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.event_loop import HOLD_LIMIT, Hold, loop_holds, runqueue_seconds

# The project directory, found without importing config (which loads Celery): the
# child imports this module, and a lighter import is a faster test.
PROJECT = Path(__file__).resolve().parents[2]
HOG = (
    "import os, sys, time\n"
    "os.sched_setaffinity(0, {int(sys.argv[1])})\n"
    "print('spinning', flush=True)\n"
    "deadline = time.monotonic() + 10\n"  # bounded even if the test never stops it
    "while time.monotonic() < deadline:\n"
    "    pass\n"
)


def run_on_a_loop(callback: Callable[[], None]) -> list[Hold]:
    """Run ``callback`` as a callback of a new event loop; what held the loop."""

    async def main() -> None:
        asyncio.get_running_loop().call_soon(callback)
        await asyncio.sleep(0)

    with loop_holds() as holds:
        asyncio.run(main())
    return holds


@contextmanager
def cpu_hog(cpu: int) -> Iterator[None]:
    """A process spinning on ``cpu`` until the block ends."""
    command = [sys.executable, "-c", HOG, str(cpu)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as hog:
        try:
            assert hog.stdout is not None
            assert hog.stdout.readline() == "spinning\n"
            yield
        finally:
            hog.kill()


def kept_from_the_cpu(cpu: int) -> None:
    """In a child: a callback busy for three limits on ``cpu`` at the lowest priority.

    Busy the whole time, so off the CPU only while waiting for it. The loop
    runs on a thread of its own, whose CPU and priority die with it, so the
    rest of the child runs at its usual speed. Prints the seconds the callback
    waited for the CPU and what held the loop.
    """
    waited: list[float] = []
    holds: list[Hold] = []

    def busy() -> None:
        started, before = time.perf_counter(), runqueue_seconds()
        os.sched_setaffinity(0, {cpu})
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        while time.perf_counter() - started < 3 * HOLD_LIMIT:
            pass
        waited.append(runqueue_seconds() - before)

    loop_thread = threading.Thread(target=lambda: holds.extend(run_on_a_loop(busy)))
    loop_thread.start()
    loop_thread.join(timeout=30)
    print(json.dumps({"waited": waited, "holds": [str(hold) for hold in holds]}))  # noqa: T201


def test_a_callback_asleep_in_a_blocking_call_is_reported() -> None:
    def blocking_sleep() -> None:
        time.sleep(2 * HOLD_LIMIT)

    holds = run_on_a_loop(blocking_sleep)
    # Only the sleeping callback is asserted on: on a loaded machine the loop's own
    # steps may wait for the GIL held by another thread of the run, a hold too.
    (hold,) = (hold for hold in holds if "blocking_sleep" in hold.callback)
    assert hold.held >= HOLD_LIMIT


def test_a_short_blocking_call_is_not_reported() -> None:
    assert run_on_a_loop(lambda: time.sleep(HOLD_LIMIT / 10)) == []


@pytest.mark.processes
def test_a_callback_kept_from_the_cpu_by_other_processes_is_not_reported() -> None:
    cpu = max(os.sched_getaffinity(0))
    with cpu_hog(cpu):
        child = subprocess.run(
            [sys.executable, "-c", f"from {__name__} import kept_from_the_cpu as run\nrun({cpu})"],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert child.returncode == 0, child.stderr
    seen = json.loads(child.stdout)
    assert seen["waited"][0] >= 2 * HOLD_LIMIT, "the hog kept the loop's thread from the CPU"
    assert seen["holds"] == []
