"""The image builds and runs what the tests prove, checked without a Docker engine.

The Dockerfile is read instruction by instruction: the server command is the one
tests/test_production_server.py boots, each path it copies and each command it
runs exists here, it installs exactly the lock, the code is not the app user's
to change, and the health check asks a probe that answers. .dockerignore is
matched the way the builder matches it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import get_commands
from django.test import Client

from config.env import BASE_DIR

from tests.support.image import (
    FINAL,
    INSTRUCTIONS,
    Instruction,
    build_context_ignores,
    read_instructions,
)
from tests.support.servers import gunicorn_command


def only(name: str, instructions: list[Instruction] = INSTRUCTIONS) -> str:
    (found,) = [i.arguments for i in instructions if i.name == name]
    return found


def runs() -> list[str]:
    return [i.arguments for i in INSTRUCTIONS if i.name == "RUN"]


def test_the_reader_joins_continued_lines_and_counts_stages() -> None:
    text = "# c\nARG A=1\nFROM x AS b\nRUN a \\\n    && b\n\nFROM y\nUSER app\n"
    assert read_instructions(text) == [
        Instruction("ARG", "A=1", -1),
        Instruction("FROM", "x AS b", 0),
        Instruction("RUN", "a      && b", 0),
        Instruction("FROM", "y", 1),
        Instruction("USER", "app", 1),
    ]


def test_the_image_runs_the_tested_server_command() -> None:
    assert json.loads(only("CMD")) == gunicorn_command()


def test_every_path_it_copies_exists() -> None:
    sources = [
        source
        for i in INSTRUCTIONS
        if i.name == "COPY" and "--from=" not in i.arguments
        for source in shlex.split(i.arguments)[:-1]
        if not source.startswith("--")
    ]
    assert "uv.lock" in sources
    assert [source for source in sources if not (BASE_DIR / source).exists()] == []


def test_the_base_image_is_a_pinned_release_of_the_project_python() -> None:
    python = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["tool"]["mypy"]
    base = only("ARG").removeprefix("PYTHON_IMAGE=")
    assert re.fullmatch(rf"python:{re.escape(python['python_version'])}\.\d+-slim-bookworm", base)
    assert {i.arguments.split()[0] for i in INSTRUCTIONS if i.name == "FROM"} == {"${PYTHON_IMAGE}"}


@pytest.mark.processes
def test_it_installs_the_locked_uv_and_exactly_the_lock() -> None:
    (install,) = [command for command in runs() if "uv sync" in command]
    assert "uv sync --frozen --no-dev" in install
    assert "pip install ." not in " ".join(runs())
    # The shell expression that picks uv's version out of the lock names the uv
    # that `make setup` installed from the same lock.
    (expression,) = re.findall(r"\$\((sed .* uv\.lock)\)", install)
    picked = subprocess.run(
        ["/bin/sh", "-c", expression], cwd=BASE_DIR, capture_output=True, text=True, check=True
    )
    assert picked.stdout.strip() == importlib.metadata.version("uv")


def test_every_command_it_runs_exists() -> None:
    commands = get_commands()
    ran = " ".join(runs())
    managed = re.findall(r"manage\.py (\w+)", ran)
    modules = re.findall(r"python -m (\w[\w.]*)", ran)
    assert "collectstatic" in managed
    assert [name for name in managed if name not in commands] == []
    assert [name for name in modules if importlib.util.find_spec(name) is None] == []


COLLECTSTATIC = (
    "import django; django.setup(); from django.core.management import call_command; "
    "call_command('collectstatic', interactive=False, dry_run=True, verbosity=0)"
)


@pytest.mark.processes
def test_static_files_collect_with_the_build_variables(tmp_path: Path) -> None:
    """Production settings load with exactly the variables the build gives collectstatic."""
    (collect,) = [command for command in runs() if "collectstatic" in command]
    assignments = dict(re.findall(r"(\w+)=(\"\$\(.*?\)\"|\S+)", collect))
    assert "DJANGO_SECRET_KEY" in assignments
    # The key is made at build by the command in quotes; a new one stands in here.
    assignments["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    (settings,) = re.findall(
        r"DJANGO_SETTINGS_MODULE=(\S+)", " ".join(i.arguments for i in FINAL if i.name == "ENV")
    )
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": settings,
        **assignments,
        "DJANGO_STATIC_ROOT": str(tmp_path),
    }
    result = subprocess.run(
        # As manage.py would, but a settings error shows as itself, not as "Unknown command".
        [sys.executable, "-c", COLLECTSTATIC],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_the_app_user_cannot_change_the_code() -> None:
    names = [i.name for i in FINAL]
    user = only("USER", FINAL)
    assert user not in {"root", "0"}
    # Everything copied or built before USER belongs to root; nothing runs as root after it.
    assert "RUN" not in names[names.index("USER") :]
    assert "COPY" not in names[names.index("USER") :]
    assert [i.arguments for i in FINAL if i.name == "COPY" and "--chown" in i.arguments] == []


def test_the_health_check_asks_a_probe_that_answers() -> None:
    check = json.loads(only("HEALTHCHECK").split(" CMD ", 1)[1])
    (url,) = re.findall(r"'(http://[^']+)'", " ".join(check))
    parts = urlsplit(url)
    assert parts.port == int(gunicorn_bind_port())
    # A probe answers before the Host check, as the orchestrator asks: the container's own address.
    response = Client().get(parts.path, HTTP_HOST=f"{parts.hostname}:{parts.port}")
    assert response.status_code == 200


def gunicorn_bind_port() -> str:
    """The port the image serves on: WEB_BIND's default, as EXPOSE states it first."""
    return only("EXPOSE", FINAL).split()[0]


@pytest.mark.parametrize(
    ("path", "left_out"),
    [
        (".env", True),
        (".venv/bin/python", True),
        (".git/HEAD", True),
        ("config/__pycache__/env.cpython-312.pyc", True),
        (".mypy_cache/3.12/x.json", True),
        (".pytest_cache/v/cache", True),
        ("reports/loadtest/report.html", True),
        ("staticfiles/admin/css/base.css", True),
        (".env.example", False),
        ("uv.lock", False),
        ("manage.py", False),
        ("deploy/gunicorn_config.py", False),
    ],
)
def test_the_build_context_leaves_out_secrets_and_caches(path: str, left_out: bool) -> None:
    assert build_context_ignores(path) == left_out
