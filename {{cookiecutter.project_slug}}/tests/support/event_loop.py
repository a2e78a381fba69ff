"""What held an event loop, told apart from a machine too busy to run it.

A callback that blocks (``time.sleep``, a synchronous socket read, a lock)
keeps its loop from running anything else. asyncio's debug mode reports a
callback by its wall time, which also counts the time the loop's thread was
ready to run but waited for a CPU: on a loaded machine (a CI runner, the other
test workers) a view that never blocks is reported now and then. CPU time does
not tell them apart either: a thread asleep in a blocking call and a thread
preempted by other processes both use none. The run queue does: a preempted
thread waits in it, a blocked one sleeps outside it. Linux reports per thread
how long it waited there (/proc/thread-self/schedstat), so a callback's hold on
its loop is its wall time less that wait: the CPU work it did plus the time it
slept in blocking calls. Both keep the loop from running anything else
whatever the machine's load, and the hold is compared with asyncio's bound.
Where the kernel does not report the wait, the hold is the wall time. A wait
for the GIL is no wait for a CPU and counts as a hold: the loop did stand
still, because another thread of the process held the interpreter.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

SCHEDSTAT = Path("/proc/thread-self/schedstat")
# asyncio's default threshold for "this callback blocked the loop" (slow_callback_duration).
HOLD_LIMIT = 0.1


def runqueue_seconds() -> float:
    """Seconds the calling thread has waited for a CPU since it started (0.0 where unknown)."""
    try:
        return int(SCHEDSTAT.read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


@dataclass(frozen=True)
class Hold:
    callback: str
    held: float  # seconds: the wall time less the wait for a CPU
    wall: float

    def __str__(self) -> str:
        return f"{self.callback} held its loop {self.held:.3f} s ({self.wall:.3f} s wall)"


def describe(handle: asyncio.Handle) -> str:
    """The task a callback steps (with its coroutine and line), else the callback."""
    task = getattr(handle._callback, "__self__", None)  # type: ignore[attr-defined]
    return repr(task) if isinstance(task, asyncio.Task) else repr(handle)


@contextmanager
def loop_holds(limit: float = HOLD_LIMIT) -> Iterator[list[Hold]]:
    """The callbacks, of any event loop in this process, that hold their loop ``limit`` s or more.

    Measured around ``asyncio.Handle._run``, which runs every callback and
    every step of every task.
    """
    holds: list[Hold] = []
    run = asyncio.Handle._run

    def measured_run(handle: asyncio.Handle) -> None:
        started, waited = time.perf_counter(), runqueue_seconds()
        try:
            run(handle)
        finally:
            wall = time.perf_counter() - started
            held = wall - (runqueue_seconds() - waited)
            if held >= limit:
                holds.append(Hold(describe(handle), held, wall))

    with mock.patch.object(asyncio.Handle, "_run", measured_run):
        yield holds
