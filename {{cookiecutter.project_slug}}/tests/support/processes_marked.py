"""make test stays fast: a test that starts a process says so (``@pytest.mark.processes``).

Why: a child interpreter, a worker, a beat or a server costs a second or more of
Django start-up each. `make test` runs the tests that start none, for quick
feedback while working; `make test-processes` runs those that do; `make ci` runs
both. A test that starts a process without the mark fails at that moment, naming
the mark, so a slow test never slips into the quick run unnoticed.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

MARK = "processes"

_running: list[pytest.Item] = []
_start_process = subprocess.Popen.__init__


def _start_marked_process(self: subprocess.Popen[Any], *args: Any, **kwargs: Any) -> None:
    if _running and _running[-1].get_closest_marker(MARK) is None:
        pytest.fail(
            f"{_running[-1].nodeid} starts a process ({args[0] if args else kwargs.get('args')!r}) "
            f"but is not marked @pytest.mark.{MARK}: mark it, and `make test-processes` "
            "runs it (make test runs only tests that start none).",
            pytrace=False,
        )
    _start_process(self, *args, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    subprocess.Popen.__init__ = _start_marked_process  # type: ignore[method-assign]


def pytest_unconfigure(config: pytest.Config) -> None:
    subprocess.Popen.__init__ = _start_process  # type: ignore[method-assign]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    _running.append(item)
    try:
        return (yield)
    finally:
        _running.pop()
