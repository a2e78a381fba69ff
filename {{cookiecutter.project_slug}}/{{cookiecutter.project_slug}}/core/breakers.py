"""Circuit breakers: a dependency that stops answering costs one cool-down, not a timeout per call.

Why: a peer that accepts connections and never answers (a partition, a hung
node) costs every call its whole timeout, and a request makes several calls:
the service is down because a dependency is. A breaker remembers the failure.
Closed, every call goes through; after ``failures`` timeouts or connection
errors in a row it opens, and for ``seconds`` every call fails at once with
the breaker's ``error`` (one the callers already handle); then the first
call to arrive is let through as a probe while the others still fail fast;
the probe's success closes the breaker, its failure opens it for another
cool-down. Each change of state is one log line and one metric
(``Reporter``, in the words of each practice: core/cache/breaker.py for
Redis, core/http/breaker.py for each outbound host); a call refused while
open logs nothing.

Why our own: pybreaker holds one lock across every guarded call, so the
threads of a worker queue behind a call that waits on a silent peer;
circuitbreaker and purgatory let every caller through once the cool-down
ends (as many probes as threads, each waiting out its timeout), and share
their counters between threads without a lock. A closed breaker here costs
a call one attribute test; the lock is taken only on a failure or while open.

A breaker belongs to its process (``breaker_for``): a new process starts
closed, and a forked child starts afresh (a lock held at the fork is not
inherited).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from {{ cookiecutter.project_slug }}.core.telemetry import metrics

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"


@dataclass(frozen=True)
class Change:
    """One change of state, for the practice's log line and metric."""

    breaker: CircuitBreaker
    before: str
    after: str
    cause: BaseException | None  # the failure that opened it, None otherwise

    @property
    def why(self) -> str:
        """The cause in a few words, e.g. ``TimeoutError: Timeout reading from socket``."""
        if self.cause is None:
            return ""
        return f"{type(self.cause).__name__}: {self.cause}"


class CircuitBreaker:
    """The state machine of one dependency (``kind``, e.g. "cache", and ``target``, its address).

    Callers wrap each call: ``probe = breaker.admit()`` (raises ``error`` while
    open), then ``breaker.failed(error, probe)`` on a timeout or connection
    error, else ``breaker.succeeded(probe)``.
    """

    def __init__(
        self,
        kind: str,
        target: str,
        *,
        seconds: float,
        error: Callable[[str], Exception],
        report: Callable[[Change], None],
        failures: int = 1,
    ) -> None:
        self.kind = kind
        self.target = target
        self.seconds = seconds  # the cool-down
        self.failures = failures  # failures in a row that open it
        self.error = error
        self.report = report
        self.state = CLOSED
        self.opens = 0
        self._in_a_row = 0
        # Open: when the cool-down ends. Half-open: when the probe counts as lost.
        self._until = 0.0
        self._last_failure: BaseException | None = None
        self._lock = threading.Lock()

    def admit(self) -> bool:
        """Whether this call is the probe; raises ``error`` while open.

        Closed: False at the cost of one comparison. Open with the cool-down
        over: True for the one caller that takes the probe. A probe that never
        reported back (its thread died) is replaced after another cool-down.
        """
        if self.state is CLOSED:
            return False
        now = time.monotonic()
        with self._lock:
            if self.state is CLOSED:
                return False
            if now < self._until:
                raise self.error(
                    f"{self.kind} circuit open for {self.target} after "
                    f"{type(self._last_failure).__name__}; next probe in {self._until - now:.1f} s"
                )
            self._until = now + self.seconds
            if self.state is OPEN:
                self._change(HALF_OPEN, None)
            return True

    def succeeded(self, probe: bool) -> None:
        """The peer answered (an error reply counts: it answered)."""
        if probe:
            with self._lock:
                if self.state is HALF_OPEN:
                    self._in_a_row = 0
                    self._change(CLOSED, None)
        elif self._in_a_row:
            self._in_a_row = 0  # the failures so far were not in a row

    def failed(self, error: BaseException, probe: bool) -> None:
        """A timeout or connection error: counted while closed, reopens when it was the probe."""
        with self._lock:
            if probe:
                if self.state is HALF_OPEN:
                    self._open(error)
                return
            if self.state is not CLOSED:
                return  # a call from before the opening, already paid for
            self._in_a_row += 1
            if self._in_a_row >= self.failures:
                self._open(error)

    def reset(self) -> None:
        """Closed, with nothing counted, as in a new process."""
        self._lock = threading.Lock()
        self.state = CLOSED
        self._in_a_row = 0
        self._until = 0.0
        self._last_failure = None

    def _open(self, error: BaseException) -> None:
        self._in_a_row = 0
        self._last_failure = error
        self._until = time.monotonic() + self.seconds
        self.opens += 1
        self._change(OPEN, error)

    def _change(self, after: str, cause: BaseException | None) -> None:
        before, self.state = self.state, after
        self.report(Change(self, before, after, cause))


class Reporter:
    """One log line and one metric per change of state, in the words of a practice.

    ``peer`` names the target in a line ("Redis at {target}"); ``while_open``
    says what the callers get meanwhile ("reads miss and writes are skipped").
    A refused call reports nothing.
    """

    def __init__(self, logger: logging.Logger, *, peer: str, while_open: str) -> None:
        self.logger = logger
        self.peer = peer
        self.while_open = while_open

    def __call__(self, change: Change) -> None:
        breaker = change.breaker
        kind, peer = breaker.kind, self.peer.format(target=breaker.target)
        metrics.circuit_changed(kind, breaker.target, change.after)
        if change.after is OPEN and change.before is CLOSED:
            in_a_row = f" {breaker.failures} times in a row" if breaker.failures > 1 else ""
            self.logger.warning(
                "%s circuit open: %s failed%s (%s); %s for %.1f s",
                *(kind, peer, in_a_row, change.why, self.while_open, breaker.seconds),
            )
        elif change.after is OPEN:
            self.logger.warning(
                "%s circuit open again: the probe of %s failed (%s); next probe in %.1f s",
                *(kind, peer, change.why, breaker.seconds),
            )
        elif change.after is HALF_OPEN:
            self.logger.info("%s circuit half-open: one call probes %s", kind, peer)
        else:
            self.logger.warning("%s circuit closed: %s answered the probe", kind, peer)


# Every breaker of this process: (kind, target) -> breaker.
_breakers: dict[tuple[str, str], CircuitBreaker] = {}
_registry_lock = threading.Lock()


def breaker_for(kind: str, target: str, make: Callable[[], CircuitBreaker]) -> CircuitBreaker:
    """This process's breaker of ``target``, made by ``make`` the first time it is asked for."""
    breaker = _breakers.get((kind, target))
    if breaker is None:
        with _registry_lock:
            breaker = _breakers.setdefault((kind, target), make())
    return breaker


def breaker_states() -> dict[str, dict[str, str]]:
    """Each breaker's state by kind and target, e.g. ``{"cache": {"127.0.0.1:6379": "closed"}}``."""
    states: dict[str, dict[str, str]] = {}
    for (kind, target), breaker in sorted(_breakers.items()):
        states.setdefault(kind, {})[target] = breaker.state
    return states


def breakers_reset() -> None:
    """Every breaker closed, as in a new process (between tests, say)."""
    for breaker in list(_breakers.values()):
        breaker.reset()


def _after_fork() -> None:
    global _registry_lock  # noqa: PLW0603 (a lock held at the fork stays held in the child)
    _registry_lock = threading.Lock()
    breakers_reset()


os.register_at_fork(after_in_child=_after_fork)
