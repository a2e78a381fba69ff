"""pre-commit works on a fresh project, offline, with the project's own tools.

The hooks are `repo: local` and call .venv's ruff, mypy and manage.py, so a
project that ran `make setup` needs nothing downloaded. The project is a git
repository from its first minute (the post-generation hook), which pre-commit
needs. One project without the example app keeps this cheap.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.template import generate
from tests.test_generated import PROJECT_VARIABLE_PREFIXES, find_python

pytestmark = pytest.mark.services

PRE_COMMIT = str(Path(sys.executable).with_name("pre-commit"))


def run(command: list[str], project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_pre_commit_passes_on_a_fresh_project_and_stops_a_bad_change(tmp_path: Path) -> None:
    project = generate(tmp_path, project_slug="svc_hooks", include_example_app=False, git_init=True)
    env = {
        **{
            key: value
            for key, value in os.environ.items()
            if not key.startswith(PROJECT_VARIABLE_PREFIXES)
        },
        # pre-commit's own store, inside the test: nothing shared, nothing fetched.
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
    }
    setup = run(["make", "setup", f"PYTHON_BIN={find_python('3.12')}"], project, env)
    assert setup.returncode == 0, setup.stdout[-5000:] + setup.stderr[-5000:]

    fresh = run([PRE_COMMIT, "run", "--all-files"], project, env)
    assert fresh.returncode == 0, fresh.stdout[-8000:] + fresh.stderr
    passed = [line for line in fresh.stdout.splitlines() if line.endswith("Passed")]
    for hook in ("ruff check.", "ruff format --check.", "mypy (strict).", "manage.py check ("):
        assert any(line.startswith(hook) for line in passed), (hook, fresh.stdout)

    # A change with a type error and a layout ruff would rewrite is refused, naming both hooks.
    bad = project / "svc_hooks" / "core" / "careless.py"
    bad.write_text("def double(value: int) -> int:\n    return str(value*2)\n")
    assert run(["git", "add", str(bad)], project, env).returncode == 0
    refused = run([PRE_COMMIT, "run", "--files", str(bad)], project, env)
    assert refused.returncode == 1, refused.stdout
    failed = [line for line in refused.stdout.splitlines() if line.endswith("Failed")]
    assert any(line.startswith("ruff format --check") for line in failed), refused.stdout
    assert any(line.startswith("mypy (strict)") for line in failed), refused.stdout
