"""Read replicas against the real streaming replica `make services` runs (tests/support/replica.py).

With replay paused, a row committed on the primary is missing on the replica:
whether a read sees it tells where the read went.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db import connections, router, transaction
from django.test import AsyncClient, Client
from prometheus_client import REGISTRY
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.database import replica_health
from {{ cookiecutter.project_slug }}.core.database.checks import (
    check_replicas,
    check_replicas_are_replicas,
)
from {{ cookiecutter.project_slug }}.core.database.read_your_writes import COOKIE
from {{ cookiecutter.project_slug }}.core.database.routing import (
    PRIMARY,
    Reads,
    reading,
    replica_reads,
)
from {{ cookiecutter.project_slug }}.core.telemetry.route_report import routes_from
from {{ cookiecutter.project_slug }}.users.models import User

from tests.support import replica_views
from tests.support.database import other_session
from tests.support.loopback import HOST, closed_port
from tests.support.replica import ALIAS, MIDDLEWARE, Replica, replica_alias

# Committed data, as requests and the replica see it. The apps users need, not every
# table flushed after each test (half a second each).
pytestmark = [
    pytest.mark.django_db(
        transaction=True,
        available_apps=[
            "{{ cookiecutter.project_slug }}.core",
            "{{ cookiecutter.project_slug }}.users",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
        ],
    ),
    pytest.mark.urls("tests.support.replica_views"),
]

HEALTH_LOGGER = "{{ cookiecutter.project_slug }}.core.database.replica_health"
REQUEST_LOGGER = "{{ cookiecutter.project_slug }}.core.telemetry.middleware"


def commit_elsewhere(username: str) -> None:
    """A row committed on the primary by another client (no request state here)."""
    with other_session() as session:
        session.execute(
            "INSERT INTO users_user (username, password, first_name, last_name, email, "
            "is_superuser, is_staff, is_active, date_joined) "
            "VALUES (%s, '', '', '', '', false, false, true, now())",
            [username],
        )
        session.commit()


def reads(client: Client, username: str) -> dict[str, Any]:
    response = client.get(f"/read/{username}")
    assert response.status_code == 200, response.content
    return dict(response.json())


def on_primary_fallbacks() -> float:
    return (
        REGISTRY.get_sample_value("db_reads_on_primary_total", {"reason": "no_replica_usable"})
        or 0.0
    )


def test_without_replicas_there_is_no_router_and_no_pin(client: Client) -> None:
    """The default: the primary alone, no router consulted, no cookie, no position query."""
    assert list(connections) == [PRIMARY]
    assert router.routers == []
    response = client.post("/write/ann")
    assert response.status_code == 200
    assert COOKIE not in response.cookies


def test_a_client_reads_its_write_while_another_reads_the_replica(replica: Replica) -> None:
    writer, other = Client(), Client()
    replica.pause()
    response = writer.post("/write/alice")
    assert COOKIE in response.cookies
    # The writer's next request: the replica has not replayed its write, so the primary.
    assert reads(writer, "alice") == {"found": True, "alias": PRIMARY}
    # Anyone else reads the replica, which does not have it yet: the router is no no-op.
    assert reads(other, "alice") == {"found": False, "alias": ALIAS}
    replica.resume()
    replica.catch_up()
    # Replayed (and measured again): the writer is back on the replica before its cookie expires.
    replica_health.forget()
    assert reads(writer, "alice") == {"found": True, "alias": ALIAS}


def test_within_a_request_reads_after_a_write_go_to_the_primary(replica: Replica) -> None:
    replica.pause()
    assert Client().post("/write-then-read/bob").json() == {"found": True, "alias": PRIMARY}


def test_a_transaction_reads_on_the_primary(replica: Replica) -> None:
    replica.pause()
    commit_elsewhere("carol")
    with reading(Reads()):
        assert not User.objects.filter(username="carol").exists()  # the replica's older copy
        with transaction.atomic():
            assert User.objects.filter(username="carol").exists()
            assert User.objects.select_for_update().filter(username="carol").exists()


def test_replica_sessions_are_read_only_with_the_primarys_timeouts(replica: Replica) -> None:
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SHOW default_transaction_read_only")
        assert cursor.fetchone()[0] == "on"
        cursor.execute("SHOW statement_timeout")
        replica_timeout = cursor.fetchone()[0]
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert replica_timeout == cursor.fetchone()[0]


def test_a_write_on_a_replica_connection_fails(replica: Replica) -> None:
    from django.db import InternalError

    with pytest.raises(InternalError, match="read-only transaction"):
        User.objects.using(ALIAS).create(username="dan")


def test_an_async_requests_pin_does_not_leak_to_a_concurrent_one(
    replica: Replica, settings: Settings
) -> None:
    # Only the routing middleware: a sync-only one (WhiteNoise) would run the two
    # requests one after the other through its thread, and they could never overlap.
    settings.MIDDLEWARE = [MIDDLEWARE]
    replica.pause()

    async def both() -> tuple[Any, Any]:
        replica_views.written = asyncio.Event()
        replica_views.read_done = asyncio.Event()
        return await asyncio.gather(
            AsyncClient().post("/awrite/erin"), AsyncClient().get("/aread/erin")
        )

    writer, reader = async_to_sync(both)()
    assert writer.json() == {"found": True, "alias": PRIMARY}  # it wrote: pinned
    assert reader.json() == {"found": False, "alias": ALIAS}  # it did not: the replica


def test_a_lagging_replica_is_skipped_logged_once_and_counted(
    replica: Replica, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0
    client = Client()
    # In use first (under replica_alias's loose bound: other runs on a loaded
    # machine keep the primary writing, and the measured lag is an upper bound).
    assert reads(client, "nobody")["alias"] == ALIAS
    settings.DATABASE_REPLICA_MAX_LAG = 0.3
    replica.pause()
    commit_elsewhere("fay")
    time.sleep(0.4)
    before = on_primary_fallbacks()
    with caplog.at_level(logging.INFO, logger=HEALTH_LOGGER):
        for _ in range(3):
            assert reads(client, "fay") == {"found": True, "alias": PRIMARY}
        replica.resume()
        replica.catch_up()
        # Other runs on this machine keep writing: a loose bound, so that it is back for sure.
        settings.DATABASE_REPLICA_MAX_LAG = 60
        assert reads(client, "fay") == {"found": True, "alias": ALIAS}
    assert on_primary_fallbacks() - before == 3 * 2  # each read view routes twice
    assert [
        record.getMessage().split(",")[0]
        for record in caplog.records
        if record.name == HEALTH_LOGGER
    ] == [
        f"Replica {ALIAS} skipped",
        f"Replica {ALIAS} serves reads again",
    ]


def test_a_stopped_replica_falls_back_to_the_primary_within_the_connect_timeout(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with replica_alias(settings, monkeypatch, f"postgres://postgres@{HOST}:{closed_port()}/x"):
        commit_elsewhere("gil")
        client = Client()
        started = time.monotonic()
        assert reads(client, "gil") == {"found": True, "alias": PRIMARY}
        assert (
            time.monotonic() - started < settings.DATABASES[PRIMARY]["OPTIONS"]["connect_timeout"]
        )
        # Readiness asks the primary only: a replica's outage takes no process out of rotation.
        assert client.get("/health/ready").status_code == 200


def test_a_task_reads_the_primary_unless_it_opts_into_replicas(replica: Replica) -> None:
    replica.pause()
    commit_elsewhere("hal")
    # No request state, as in a Celery task or a command: the primary, which has every commit.
    assert User.objects.filter(username="hal").exists()
    with replica_reads():
        assert not User.objects.filter(username="hal").exists()


def test_the_route_report_shows_where_reads_went(
    replica: Replica, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    with caplog.at_level(logging.INFO, logger=REQUEST_LOGGER):
        client.post("/write/ida")  # the primary only
        reads(Client(), "ida")  # not pinned: the replica only
    fields = [vars(record) for record in caplog.records if vars(record).get("event") == "request"]
    lines = [
        json.dumps(
            {
                **{key: each[key] for key in ("method", "route", "queries", "queries_by_alias")},
                "event": "request",
                "duration_ms": 1,
            }
        )
        for each in fields
    ]
    routes, _ = routes_from(lines)
    assert routes[("POST", "write/<str:username>")].replica_share == "-"
    assert routes[("GET", "read/<str:username>")].replica_share == "100%"


def test_a_replica_at_the_primarys_address_or_without_the_router_is_refused(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    primary = settings.DATABASES[PRIMARY]
    url = f"postgres://postgres@{primary['HOST']}:{primary['PORT']}/x"
    with replica_alias(settings, monkeypatch, url):
        assert [message.id for message in check_replicas(None)] == ["core.E030"]
        # The server behind it is no replica either (the database check asks it).
        assert [message.id for message in check_replicas_are_replicas(None, [PRIMARY])] == [
            "core.E032"
        ]
        settings.DATABASE_ROUTERS = []
        assert [message.id for message in check_replicas(None)] == ["core.E030", "core.E031"]


def test_the_real_replica_passes_the_checks(replica: Replica) -> None:
    assert check_replicas(None) == []
    assert check_replicas_are_replicas(None, [PRIMARY]) == []
