"""Hooks of the template's own test run."""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

from tests.services import replica_listening, stop_replicas

# Modules whose tests share one expensive module fixture (a rendering of every
# combination): all their tests go to one xdist worker, which renders once.
SHARED_FIXTURE_MODULES = ("tests/test_render.py", "tests/test_shipping.py")


class SharedRenderingScheduling(LoadScopeScheduling):
    """Each test on its own, but those of a module that shares a rendering together.

    (xdist's loadgroup would do it with marks, but pytest 9.2 no longer lets it
    rename the tests it groups.)
    """

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return module if module in SHARED_FIXTURE_MODULES else nodeid


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
