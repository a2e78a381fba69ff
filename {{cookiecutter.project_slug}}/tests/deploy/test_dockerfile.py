"""The image serves with the configuration the server tests boot and drive.

tests/test_production_server.py proves that command (workers, timeouts,
graceful shutdown, metrics port); this keeps the Dockerfile from drifting to
another one, as a bare ``gunicorn config.wsgi:application`` would.
"""

import json

from config.env import BASE_DIR

from tests.support.servers import gunicorn_command


def instruction(name: str) -> str:
    lines = (BASE_DIR / "Dockerfile").read_text().splitlines()
    (found,) = [line.removeprefix(name).strip() for line in lines if line.startswith(name + " ")]
    return found


def test_the_image_runs_the_tested_server_command() -> None:
    assert json.loads(instruction("CMD")) == gunicorn_command()
