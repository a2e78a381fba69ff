"""make setup builds .venv on the answered Python or stops saying why, and a refused setup keeps .venv.

The missing interpreter is hidden, not uninstalled: PATH keeps only the
system's directories (no pyenv shims, no uv) and HOME and PYENV_ROOT point at
empty folders.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.template import find_python, generate

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def make(
    project: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def hidden_pythons(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a machine with only the system's Python (no pyenv, no uv)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"PATH": SYSTEM_PATH, "HOME": str(home), "PYENV_ROOT": str(home / ".pyenv"), **extra}


def test_setup_without_the_answered_python_stops_and_says_how_to_choose(tmp_path: Path) -> None:
    assert shutil.which("python3.13", path=SYSTEM_PATH) is None, (
        "this machine's system PATH has python3.13: hide another version in this test"
    )
    project = generate(tmp_path, project_slug="svc_setup", python_version="3.13")

    result = make(project, "setup", env=hidden_pythons(tmp_path), timeout=120)

    assert result.returncode != 0, result.stdout
    assert "Python 3.13 (the python_version answered at generation) is not installed" in (
        result.stderr
    )
    assert "uv python install 3.13" in result.stderr
    assert "make setup PYTHON_BIN=python3.11" in result.stderr
    assert not (project / ".venv").exists(), "nothing is built on another Python"


def test_setup_finds_the_answered_python_where_pyenv_keeps_it(tmp_path: Path) -> None:
    """pyenv's build of the version counts even when pyenv selects another one (its shim fails)."""
    project = generate(tmp_path, project_slug="svc_setup", python_version="3.13")
    pyenv_bin = tmp_path / "pyenv" / "versions" / "3.13.9" / "bin"
    pyenv_bin.mkdir(parents=True)
    (pyenv_bin / "python3.13").symlink_to(find_python("3.13"))
    env = hidden_pythons(tmp_path, PYENV_ROOT=str(tmp_path / "pyenv"))

    planned = make(project, "-n", "setup", env=env, timeout=60)

    assert planned.returncode == 0, planned.stderr
    assert f'"{pyenv_bin / "python3.13"}" -m venv .venv' in planned.stdout


def test_given_python_bin_wins(tmp_path: Path) -> None:
    project = generate(tmp_path, project_slug="svc_setup", python_version="3.13")
    planned = make(
        project, "-n", "setup", "PYTHON_BIN=/usr/bin/python3.11", env=hidden_pythons(tmp_path)
    )
    assert planned.returncode == 0, planned.stderr
    assert '"/usr/bin/python3.11" -m venv .venv' in planned.stdout


def test_a_python_bin_that_does_not_run_is_refused_before_anything_is_made(
    tmp_path: Path,
) -> None:
    project = generate(tmp_path, project_slug="svc_setup", python_version="3.13")
    refused = make(project, "setup", "PYTHON_BIN=python3.99", env=hidden_pythons(tmp_path))
    assert refused.returncode != 0, refused.stdout
    assert "PYTHON_BIN=python3.99 is not a Python 3.11 or newer that runs here" in refused.stderr
    assert not (project / ".venv").exists()


@pytest.mark.services
def test_setup_refused_on_a_stale_lock_keeps_the_environment(tmp_path: Path) -> None:
    """A dependency changed without make lock: setup stops, and .venv still runs the project.

    Asked for another interpreter too (as a PYTHON_BIN or a newly installed
    version does), uv sync would replace .venv before reading the lock.
    """
    project = generate(tmp_path, project_slug="svc_setup", python_version="3.12")
    setup = make(project, "setup", f"PYTHON_BIN={find_python('3.12')}")
    assert setup.returncode == 0, setup.stdout + setup.stderr
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    assert text.count('"django-ninja>=1.4,<2"') == 1
    pyproject.write_text(text.replace('"django-ninja>=1.4,<2"', '"django-ninja>=1.3,<2"'))

    messages = []
    for interpreter in (find_python("3.12"), find_python("3.11")):
        refused = make(project, "setup", f"PYTHON_BIN={interpreter}")

        assert refused.returncode != 0, refused.stdout
        messages.append(refused.stderr)
        still = subprocess.run(
            [str(project / ".venv/bin/python"), "-c", "import django, sys; print(sys.version)"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert still.returncode == 0, f".venv lost Django after {interpreter}:\n{still.stderr}"
        assert still.stdout.startswith("3.12."), still.stdout
        assert (project / ".venv/bin/uv").exists(), ".venv lost its uv"
    for message in messages:
        assert "uv.lock is out of date with pyproject.toml: run make lock" in message
