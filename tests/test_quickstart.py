"""The newcomer's commands take a port: make run, make run-asgi and the demo."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.template import TEMPLATE, generate


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("quickstart"), project_slug="svc")


def dry_run(project: Path, *args: str) -> str:
    """What make would run (-n: nothing runs, not even the services check)."""
    result = subprocess.run(
        ["make", "-n", *args], cwd=project, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout


@pytest.mark.parametrize(
    ("target", "served"),
    [("run", "runserver 127.0.0.1:{port}"), ("run-asgi", "--host 127.0.0.1 --port {port}")],
)
def test_servers_take_a_port_and_default_to_8000(project: Path, target: str, served: str) -> None:
    assert served.format(port=8123) in dry_run(project, target, "PORT=8123")
    assert served.format(port=8000) in dry_run(project, target)


def test_demo_refuses_a_port_that_is_not_one() -> None:
    # Its own process group: were the check gone, the demo would go on installing;
    # the whole group is stopped then, not only bash.
    demo = subprocess.Popen(
        ["bash", str(TEMPLATE / "scripts" / "demo.sh")],
        env={**os.environ, "PORT": "80a"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = demo.communicate(timeout=30)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait(timeout=10)
    assert demo.returncode == 2
    assert "PORT=80a is not a port number" in stderr
    assert "PORT=8001 bash scripts/demo.sh" in stderr
