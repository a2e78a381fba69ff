"""The Makefile keeps the lock in force: a lock out of date stops `make setup` and `make ci`.

Each test runs the project's Makefile in a temporary directory, on a small
project whose pyproject.toml changed after its uv.lock was made (as when a
teammate edits the dependencies and forgets `make lock`), with an empty
virtual environment of its own holding this project's uv. Offline and well
under a second: the small project needs no package, so nothing is resolved
from an index, and the project's own .venv is never touched. The tests ask
only that the command stops, names the lock and changes nothing, whichever
command of the target does the refusing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import BASE_DIR

PYPROJECT = """\
[project]
name = "drift"
version = "{version}"
requires-python = ">=3.11"
dependencies = []

[project.optional-dependencies]
dev = []

[tool.uv]
package = false
"""


def make(project: Path, target: str) -> subprocess.CompletedProcess[str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        # Not this run's make (make test): its flags and job server are not the child's.
        if name not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "VIRTUAL_ENV"}
    }
    make_command = shutil.which("make")
    assert make_command is not None, "make is not installed"
    return subprocess.run(
        [make_command, target, "VENV=venv", f"PYTHON_BIN={project / 'venv' / 'bin' / 'python'}"],
        cwd=project,
        env={**environment, "UV_OFFLINE": "1", "UV_CACHE_DIR": str(project / "uv-cache")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def installed(project: Path) -> list[str]:
    """Every file under the environment's lib/: what an install would change."""
    return sorted(str(path) for path in (project / "venv" / "lib").rglob("*"))


pytestmark = pytest.mark.processes


@pytest.fixture
def drifted(tmp_path: Path) -> Path:
    """A small project with the Makefile, its lock made, then pyproject.toml changed."""
    shutil.copy(BASE_DIR / "Makefile", tmp_path / "Makefile")
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True
    )
    uv = Path(sys.prefix) / "bin" / "uv"  # the uv that `make setup` installed from the lock
    (tmp_path / "venv" / "bin" / "uv").symlink_to(uv)
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.format(version="1.0.0"))
    locked = make(tmp_path, "lock")
    assert locked.returncode == 0, locked.stderr
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.format(version="1.0.1"))
    return tmp_path


def names_the_lock(output: str) -> bool:
    return "uv.lock" in output and re.search(r"\b(uv|make) lock\b", output) is not None


def test_a_drifted_lock_stops_make_setup_and_installs_nothing(drifted: Path) -> None:
    before, lock = installed(drifted), (drifted / "uv.lock").read_text()
    setup = make(drifted, "setup")
    assert setup.returncode != 0, setup.stdout
    assert names_the_lock(setup.stdout + setup.stderr), setup.stdout + setup.stderr
    assert installed(drifted) == before, "the environment was changed"
    assert (drifted / "uv.lock").read_text() == lock, "the lock was re-made behind the user's back"


def test_a_drifted_lock_fails_make_ci_before_anything_else_runs(drifted: Path) -> None:
    ci = make(drifted, "ci")
    assert ci.returncode != 0
    output = ci.stdout + ci.stderr
    assert names_the_lock(output), output
    assert "ruff" not in output, "lint ran: the lock was not checked first"
