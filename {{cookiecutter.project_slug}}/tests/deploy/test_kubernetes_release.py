"""The release Job migrates a new database while new pods wait; two beat replicas send once.

The Job's command runs as a kubelet would run it (tests/support/kubelet.py), on
a database created empty for the test; beside it, a new web pod's init
container waits, and lets the pod start only once the migrations are applied
(the project's own `migrate --check`). Then the beat Deployment's replicas run
side by side: only the holder of the Redis lock sends, so a periodic task due
every 0.2 s is sent once per tick, not twice.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.core.cache import cache
from django_redis import get_redis_connection

from {{ cookiecutter.project_slug }}.core.worker.beat import (
    lock_key,
)

from config.settings.development import DEVELOPMENT_DEFAULTS

from tests.deploy.conftest import isolation, on_database, secret_store
from tests.deploy.pod_hooks import TICK_SECONDS, TICK_TASK
from tests.support.broker import queue_take_all
from tests.support.kubelet import Kubelet, kubelet
from tests.support.kubernetes import production
from tests.support.processes import database_url_for_child, wait_until

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

WINDOW_SECONDS = 1.6


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A new, empty database on this run's PostgreSQL, dropped at the end: its URL for the pods."""
    url = database_url_for_child()
    name = f"{urlsplit(url).path.lstrip('/')}_release_{secrets.token_hex(3)}"
    direct = DEVELOPMENT_DEFAULTS.get("DATABASE_MIGRATION_URL") or url
    with psycopg.connect(on_database(direct, "postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield on_database(url, name)
        finally:
            # FORCE: PgBouncer may still hold server connections to it.
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def node_on_empty_database(
    empty_database: str, image_code: Path, pods_root: Path
) -> Iterator[Kubelet]:
    workspace = pods_root / f"release-{secrets.token_hex(3)}"
    workspace.mkdir(mode=0o755)
    with kubelet(
        production(),
        code=image_code,
        secrets=secret_store(empty_database),
        workspace=workspace,
        isolation=isolation(),
    ) as running:
        yield running


def test_the_release_job_migrates_while_a_new_pod_waits_for_it(
    node_on_empty_database: Kubelet,
) -> None:
    node = node_on_empty_database
    (gate,) = node.pod("Deployment", "web").init
    job = node.pod("Job", "release")
    started = time.monotonic()
    waiting, release = node.start_container(gate), node.start_container(job.main)
    ended: dict[str, float] = {}
    deadline = started + 120
    while len(ended) < 2 and time.monotonic() < deadline:
        for name, process in (("gate", waiting), ("release", release)):
            if name not in ended and process.poll() is not None:
                ended[name] = time.monotonic() - started
        time.sleep(0.05)
    print(  # noqa: T201 - the figures `pytest -s` shows
        f"release exited {release.returncode} after {ended.get('release', -1):.2f} s; the "
        f"init container let the pod start after {ended.get('gate', -1):.2f} s"
    )
    assert release.returncode == 0, job.tail()
    assert waiting.returncode == 0, "migrate --check passes: every migration is applied"
    assert ended["gate"] >= ended["release"], "the new pod waited for the release"


def ticks_sent() -> int:
    return sum(1 for name, _args in queue_take_all() if name == TICK_TASK)


def lock_holder() -> int | None:
    token = get_redis_connection("default").get(cache.make_key(lock_key()))
    return int(token.decode().split(":")[1]) if token else None


@pytest.mark.usefixtures("task_queue")
def test_the_beat_replicas_send_each_periodic_task_once(node: Kubelet) -> None:
    replicas = node.rendering.find("Deployment", "beat")["spec"]["replicas"]
    assert replicas == 2
    beats = [node.start(node.pod("Deployment", "beat")) for _ in range(replicas)]
    logs = [beat.main.log for beat in beats]
    wait_until(
        lambda: all("beat: Starting" in log.read_text(errors="replace") for log in logs),
        "both beats to start",
        logs,
    )
    pids = {beat.main.process.pid for beat in beats if beat.main.process}
    wait_until(lambda: lock_holder() in pids, "a beat to hold the lock", logs)
    time.sleep(0.5)
    ticks_sent()
    time.sleep(WINDOW_SECONDS)
    sent = ticks_sent()
    once = WINDOW_SECONDS / TICK_SECONDS
    assert once - 3 <= sent <= once + 2, (
        f"{sent} ticks in {WINDOW_SECONDS} s: one beat sends {once:.0f}"
    )
