"""Hooks of the template's own test run."""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

from tests.services import replica_listening, stop_replicas

# Modules whose tests share one expensive module fixture (a rendering of every
# combination): all their tests go to one xdist worker, which renders once.
SHARED_FIXTURE_MODULES = ("tests/test_render.py", "tests/test_shipping.py")
# The generated projects' runs: minutes each, the rest of the suite seconds.
LONG_TESTS = "tests/test_generated.py::test_generated_project_passes_its_own_checks["


class SharedRenderingScheduling(LoadScopeScheduling):
    """Each test on its own, but those of a module that shares a rendering together; the
    generated projects' runs first, one per worker, with one short test queued behind each.

    A worker runs a test once it knows the next (for fixture teardown), so it holds two;
    xdist tops a worker up to three. Behind a project's run that third test, or a module
    of tests, would wait its minutes while other workers go idle.
    (xdist's loadgroup would group with marks, but pytest 9.2 no longer lets it rename
    the tests it groups.)
    """

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return module if module in SHARED_FIXTURE_MODULES else nodeid

    def _runs_long(self, node: Any) -> bool:
        return any(
            nodeid.startswith(LONG_TESTS) and not done
            for unit in self.assigned_work.get(node, {}).values()
            for nodeid, done in unit.items()
        )

    def _reschedule(self, node: Any) -> None:
        if self._runs_long(node) and self._pending_of(self.assigned_work[node]) >= 2:
            return
        super()._reschedule(node)

    def _assign_work_unit(self, node: Any) -> None:
        if self._runs_long(node):
            short = (scope for scope in self.workqueue if "::" in scope)  # not a module
            wanted = next((scope for scope in short if not scope.startswith(LONG_TESTS)), None)
        else:
            wanted = next((scope for scope in self.workqueue if scope.startswith(LONG_TESTS)), None)
        if wanted is not None:
            self.workqueue.move_to_end(wanted, last=False)
        super()._assign_work_unit(node)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> SharedRenderingScheduling:
    return SharedRenderingScheduling(config, log)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The timings each generated project recorded (tests/test_generated.py), at the end."""
    lines = [
        str(value)
        for status in ("passed", "failed")
        for report in terminalreporter.getreports(status)
        for name, value in report.user_properties
        if name == "timings"
    ]
    if lines:
        terminalreporter.section("generated projects' timings")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def subprocess_temporaries(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary files of the commands a test runs, in pytest's own folders (removed with
    them): cookiecutter, which cruft runs too, leaves each hook it renders in TMPDIR."""
    monkeypatch.setenv("TMPDIR", str(tmp_path_factory.mktemp("tmpdir")))


REPLICA_WAS_LISTENING = pytest.StashKey[bool]()


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the run itself, not an xdist worker
        session.config.stash[REPLICA_WAS_LISTENING] = replica_listening()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop the streaming replica a generated project started during this run, if any."""
    if not session.config.stash.get(REPLICA_WAS_LISTENING, True):
        stop_replicas("svc_*")
