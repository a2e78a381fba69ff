"""A child Python process with this test run's environment.

Why a helper: a second process (another web process, a worker, a fresh
start-up) is the only proof of what crosses processes (a shared cache, the
settings a new interpreter builds). The child must use the database this test
process uses: pytest-django renamed it to test_<name> after the settings read
DATABASE_URL, so the child gets the test database's URL explicitly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from config.env import BASE_DIR

SETUP = "import django\ndjango.setup()\n"
# How long a test waits for one step of a child process (a passing run takes a few seconds).
WAIT_SECONDS = 20


def database_url_for_child() -> str:
    """The URL of the test database this process uses."""
    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{quote(db['NAME'])}"


def child_environment(**overrides: str) -> dict[str, str]:
    """This process's environment, pointed at the test database, plus overrides."""
    return {**os.environ, "DATABASE_URL": database_url_for_child(), **overrides}


def python_child(
    code: str,
    *,
    env: Mapping[str, str] | None = None,
    setup: bool = True,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run `code` in a new interpreter in the project directory; return its outcome.

    ``setup`` runs ``django.setup()`` first. ``env`` defaults to this process's
    environment on the test database (``child_environment()``). Bounded by
    ``timeout``; the caller checks ``returncode``, ``stdout`` and ``stderr``.
    """
    return subprocess.run(
        [sys.executable, "-c", (SETUP if setup else "") + code],
        cwd=BASE_DIR,
        env=dict(child_environment() if env is None else env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def celery_worker_command(*options: str, loglevel: str = "WARNING") -> list[str]:
    """`celery worker` for a test: a node name of its own, nothing to sync with at start.

    A unique node name: workers of parallel tests (and runs) on one broker each
    get their own remote-control queue (on RabbitMQ an exclusive queue, named
    after the node, which a second worker of the same name may not declare).
    No mingle, gossip or heartbeat: no waiting for other workers' replies.
    """
    return [
        *(sys.executable, "-m", "celery", "-A", "config", "worker", f"--loglevel={loglevel}"),
        f"--hostname=test-{os.getpid()}-{uuid.uuid4().hex[:8]}@%h",
        *("--without-mingle", "--without-gossip", "--without-heartbeat"),
        *options,
    ]


@contextlib.contextmanager
def process_group(
    command: Sequence[str], *, log: Path, env: Mapping[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` started in the project directory, in a process group of its own.

    Its output goes to ``log``; at the end the whole group (a worker and its
    pool processes) is killed and waited for, whatever the test did.
    """
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):  # the group has ended already
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def celery_worker(
    *options: str, log: Path, loglevel: str = "WARNING", **environment: str
) -> Iterator[subprocess.Popen[bytes]]:
    """A real `celery worker` on this run's test database and task queue, stopped at the end.

    ``environment`` adds to the child's (DJANGO_SETTINGS_MODULE, say).
    """
    env = child_environment(
        CELERY_TASK_DEFAULT_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE, **environment
    )
    with process_group(
        celery_worker_command(*options, loglevel=loglevel), log=log, env=env
    ) as worker:
        yield worker


def wait_until(
    condition: Callable[[], bool],
    what: str,
    logs: Sequence[Path],
    *,
    process: subprocess.Popen[bytes] | None = None,
) -> None:
    """Poll ``condition`` every 50 ms for at most WAIT_SECONDS (stopping early if
    ``process`` exited); on giving up, fail with the tail of each child's log."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline or (process is not None and process.poll() is not None):
            tails = "\n".join(
                f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs
            )
            pytest.fail(f"gave up after at most {WAIT_SECONDS} s waiting for {what}\n{tails}")
        time.sleep(0.05)
