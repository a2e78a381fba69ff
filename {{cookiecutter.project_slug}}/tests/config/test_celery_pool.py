"""A prefork worker (django_pool mode): pool processes never use the pool of the process that forked them.

A real worker whose main process holds an open psycopg pool (tests/config/
pool_worker.py) forks two pool processes and runs queries in both. With the
inherited pools dropped after the fork, each pool process uses sessions of its
own and PostgreSQL sees at most one per process (DATABASE_POOL_MAX_SIZE=1
here); children using their parent's pool share its session (one socket, two
writers), or wait on a pool whose threads did not survive the fork.
"""

import time
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth.models import Group
from django.db import connection

from tests.config.pool_worker import group_create
from tests.support.processes import celery_worker

pytestmark = [
    pytest.mark.processes,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("task_queue"),
]

TASKS = 20
WAIT_SECONDS = 20


# The worker's sessions carry this name (libpq reads PGAPPNAME), so they are told
# apart from the test's own.
WORKER_SESSIONS = "pool-worker-under-test"


def worker_sessions() -> int:
    """The worker's sessions right now, counted on PostgreSQL itself."""
    config = connection.settings_dict
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"],
        user=config["USER"],
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [WORKER_SESSIONS],
        ).fetchone()
    return int(row[0]) if row else 0


def test_pool_processes_open_pools_of_their_own(tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    for number in range(TASKS):
        group_create.delay(number)
    peak = 0
    with celery_worker(
        "--pool=prefork",
        "--concurrency=2",
        log=log,
        DJANGO_SETTINGS_MODULE="tests.config.pool_worker_settings",
        DATABASE_POOL_MIN_SIZE="1",
        DATABASE_POOL_MAX_SIZE="1",
        PGAPPNAME=WORKER_SESSIONS,
    ) as worker:
        deadline = time.monotonic() + WAIT_SECONDS
        while Group.objects.filter(name__startswith="task-").count() < TASKS:
            peak = max(peak, worker_sessions())
            if time.monotonic() > deadline or worker.poll() is not None:
                pytest.fail(f"the tasks did not all run\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.05)
    sessions_of: dict[str, set[str]] = {}
    for name in Group.objects.values_list("name", flat=True):
        _, process, _, session = name.rsplit("-", 3)
        sessions_of.setdefault(process, set()).add(session)
    assert len(sessions_of) == 2, f"both pool processes ran tasks: {sessions_of}"
    first, second = sessions_of.values()
    assert not first & second, f"two processes used one PostgreSQL session: {sessions_of}"
    assert peak <= 3, f"{peak} sessions: the main process and two pool processes, one each"
    assert "PoolTimeout" not in log.read_text(errors="replace")
