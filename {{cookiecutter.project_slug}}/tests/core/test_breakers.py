"""core/breakers.py: the state machine, one test per transition, on a clock the test moves."""

import threading

import pytest

from {{ cookiecutter.project_slug }}.core import breakers
from {{ cookiecutter.project_slug }}.core.breakers import (
    CLOSED,
    HALF_OPEN,
    OPEN,
    Change,
    CircuitBreaker,
)


class RefusedError(Exception):
    pass


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(f"{breakers.__name__}.time.monotonic", clock)
    return clock


@pytest.fixture
def changes() -> list[Change]:
    return []


def breaker(changes: list[Change], *, failures: int = 1) -> CircuitBreaker:
    return CircuitBreaker(
        "test",
        "peer:1",
        seconds=5.0,
        failures=failures,
        error=RefusedError,
        report=changes.append,
    )


def states(changes: list[Change]) -> list[tuple[str, str]]:
    return [(change.before, change.after) for change in changes]


def opened(changes: list[Change], clock: Clock) -> CircuitBreaker:
    circuit = breaker(changes)
    circuit.failed(TimeoutError("silent"), circuit.admit())
    return circuit


def test_closed_admits_every_call_and_reports_nothing(clock: Clock, changes: list[Change]) -> None:
    circuit = breaker(changes)
    for _ in range(3):
        probe = circuit.admit()
        assert probe is False
        circuit.succeeded(probe)
    assert (circuit.state, changes) == (CLOSED, [])


def test_closed_to_open_after_the_failures_in_a_row(clock: Clock, changes: list[Change]) -> None:
    circuit = breaker(changes, failures=3)
    for _ in range(2):
        circuit.failed(TimeoutError(), circuit.admit())
    circuit.succeeded(circuit.admit())  # an answer between: the failures were not in a row
    for _ in range(2):
        circuit.failed(TimeoutError(), circuit.admit())
    assert circuit.state == CLOSED
    cause = TimeoutError("third")
    circuit.failed(cause, circuit.admit())
    assert circuit.state == OPEN
    assert states(changes) == [(CLOSED, OPEN)]
    assert changes[0].cause is cause
    assert circuit.opens == 1


def test_open_refuses_until_the_cool_down_ends(clock: Clock, changes: list[Change]) -> None:
    circuit = opened(changes, clock)
    clock.now += 4.9
    with pytest.raises(RefusedError, match="test circuit open for peer:1 after TimeoutError"):
        circuit.admit()
    assert states(changes) == [(CLOSED, OPEN)], "a refused call changes nothing"


def test_open_to_half_open_lets_one_probe_through(clock: Clock, changes: list[Change]) -> None:
    circuit = opened(changes, clock)
    clock.now += 5.0
    assert circuit.admit() is True
    assert circuit.state == HALF_OPEN
    for _ in range(3):
        with pytest.raises(RefusedError):
            circuit.admit()  # the others still fail fast while the probe is out
    assert states(changes) == [(CLOSED, OPEN), (OPEN, HALF_OPEN)]


def test_one_probe_among_concurrent_callers(clock: Clock, changes: list[Change]) -> None:
    circuit = opened(changes, clock)
    clock.now += 5.0
    callers = 16
    barrier = threading.Barrier(callers)
    probes: list[bool] = []

    def call() -> None:
        barrier.wait(timeout=5)
        try:
            probes.append(circuit.admit())
        except RefusedError:
            probes.append(False)

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert sorted(probes) == [False] * (callers - 1) + [True]


def test_half_open_to_closed_when_the_probe_succeeds(clock: Clock, changes: list[Change]) -> None:
    circuit = opened(changes, clock)
    clock.now += 5.0
    circuit.succeeded(circuit.admit())
    assert circuit.state == CLOSED
    assert circuit.admit() is False
    assert states(changes) == [(CLOSED, OPEN), (OPEN, HALF_OPEN), (HALF_OPEN, CLOSED)]


def test_half_open_to_open_when_the_probe_fails(clock: Clock, changes: list[Change]) -> None:
    circuit = opened(changes, clock)
    clock.now += 5.0
    circuit.failed(TimeoutError("still silent"), circuit.admit())
    assert circuit.state == OPEN
    assert circuit.opens == 2
    clock.now += 4.9
    with pytest.raises(RefusedError):
        circuit.admit()  # a new cool-down from the failed probe
    assert states(changes)[-1] == (HALF_OPEN, OPEN)


def test_a_lost_probe_is_replaced_after_a_cool_down(clock: Clock, changes: list[Change]) -> None:
    circuit = opened(changes, clock)
    clock.now += 5.0
    assert circuit.admit() is True  # its thread never reports back
    clock.now += 5.0
    assert circuit.admit() is True
    circuit.succeeded(True)
    assert circuit.state == CLOSED


def test_calls_from_before_the_opening_change_nothing(clock: Clock, changes: list[Change]) -> None:
    circuit = breaker(changes)
    in_flight = [circuit.admit() for _ in range(3)]  # three calls wait on a silent peer
    for probe in in_flight:
        circuit.failed(TimeoutError(), probe)
    assert (circuit.state, circuit.opens) == (OPEN, 1), "one opening, one report"
    circuit.succeeded(False)  # a late answer of a call from before
    assert states(changes) == [(CLOSED, OPEN)]


def test_states_and_reset_for_every_breaker_of_the_process(changes: list[Change]) -> None:
    circuit = breakers.breaker_for("test", "peer:2", lambda: breaker(changes))
    assert breakers.breaker_for("test", "peer:2", lambda: breaker(changes)) is circuit
    circuit.failed(TimeoutError(), circuit.admit())
    assert breakers.breaker_states()["test"]["peer:2"] == OPEN
    breakers.breakers_reset()
    assert breakers.breaker_states()["test"]["peer:2"] == CLOSED
