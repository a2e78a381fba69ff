"""config/startup.py: what a server or worker process runs before its first request or task.

A production start runs Django's deployment checklist with the project's
checks, and an Error stops it; a laptop start (``make run`` and each of its
reloads, ``make run-asgi``, ``make worker``) runs the project's checks only and
prints nothing. A production worker on a failing check exits: Celery logs what
a ``worker_init`` handler raises and starts anyway, so config/celery.py turns
the failure into an exit.
"""

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from config.env import BASE_DIR

from tests.support.environments import production_environment
from tests.support.loopback import HOST, closed_port
from tests.support.processes import (
    WAIT_SECONDS,
    celery_worker_command,
    child_environment,
    python_child,
)


@pytest.mark.processes
def test_a_local_server_and_worker_start_print_nothing() -> None:
    # make run-asgi's start (config/asgi.py), then what make run's (config/wsgi.py, which
    # runserver imports) and make worker's (config/celery.py) run: one process, one import.
    code = (
        "import config.asgi\n"
        "from config import startup\n"
        "startup.start('wsgi')\n"
        "startup.start('celery')\n"
    )
    child = python_child(
        code,
        setup=False,
        env=child_environment(
            DJANGO_SETTINGS_MODULE="config.settings.local", REMAP_SIGTERM="SIGQUIT"
        ),
    )
    assert child.returncode == 0, child.stderr
    assert (child.stdout, child.stderr) == ("", "")


def unreachable(url: str) -> str:
    """``url`` with its host and port swapped for a closed loopback port."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{HOST}:{closed_port()}"
    return urlunsplit(parts._replace(netloc=f"{credentials}@{netloc}" if credentials else netloc))


@pytest.mark.processes
def test_a_production_worker_on_failing_checks_exits_naming_them(tmp_path: Path) -> None:
    """One of the project's checks and one of the deployment checklist fail.

    core.E018: started without REMAP_SIGTERM=SIGQUIT, as from an image that
    forgot it; async.E001: async-unsafe code allowed, which only the checklist
    knows. The broker URL points at a closed port: a worker that started
    anyway would retry its connection rather than take anyone's tasks.
    """
    environment = child_environment(
        **production_environment(
            REMAP_SIGTERM="",
            DJANGO_ALLOW_ASYNC_UNSAFE="true",
            CELERY_BROKER_URL=unreachable(production_environment()["CELERY_BROKER_URL"]),
            CELERY_WORKER_METRICS_BIND="",
        )
    )
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            celery_worker_command(),
            cwd=BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        exit_status = worker.wait(timeout=WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        exit_status = None
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
    text = log.read_text(errors="replace")
    assert exit_status == 1, f"still running after {WAIT_SECONDS} s:\n{text[-3000:]}"
    assert re.findall(r"\((\w+\.[EW]\d+)\)", text) == ["async.E001", "core.E018"], text
    assert "The worker refuses to start" in text


@pytest.mark.processes
@pytest.mark.parametrize("command", ["release", "migrate"])
def test_manage_py_on_a_bad_variable_stops_naming_it(command: str) -> None:
    """The release Job's command and a core one: Django's command line swallows a settings
    error, so without manage.py's own check they failed as "Unknown command: 'release'"
    and AppRegistryNotReady."""
    child = subprocess.run(
        [sys.executable, "manage.py", command],
        cwd=BASE_DIR,
        env=child_environment(**production_environment(DATABASE_CONNECT_TIMEOUT="abc")),
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
        check=False,
    )
    assert child.returncode == 1, child.stdout + child.stderr
    assert "DATABASE_CONNECT_TIMEOUT='abc' is invalid" in child.stderr, child.stderr
    assert "Traceback" not in child.stderr, child.stderr
