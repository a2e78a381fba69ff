"""What a run left on the shared services: databases, Redis keys, RabbitMQ queues and exchanges.

A generated project names everything it creates after its slug (databases,
cache prefixes, task queues), and the template's tests give each project a slug
of its own. So whatever still carries that name after a green run is what the
run left behind, whoever else shares the servers meanwhile. Read with the
servers' own clients (psql, redis-cli, rabbitmqctl), which scripts/services.sh
installs with the servers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

PSQL = [
    "psql",
    "-h",
    "127.0.0.1",
    "-U",
    "postgres",
    "-d",
    "postgres",
    "-At",
    "-v",
    "ON_ERROR_STOP=1",
]
REDIS_CLI = ["redis-cli", "-h", "127.0.0.1"]


def output(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"{command}: {result.stderr}"
    return result.stdout


def databases(name: str) -> list[str]:
    return [
        line
        for line in output([*PSQL, "-c", "SELECT datname FROM pg_database"]).split()
        if name in line
    ]


def redis_keys(name: str) -> list[tuple[int, str]]:
    """(database number, key) of every key holding ``name``, in every Redis database."""
    count = int(output([*REDIS_CLI, "config", "get", "databases"]).split()[1])
    return [
        (number, key)
        for number in range(count)
        for key in output(
            [*REDIS_CLI, "-n", str(number), "--scan", "--pattern", f"*{name}*"]
        ).split()
    ]


def rabbitmq(kind: str, name: str, *fields: str) -> list[dict[str, object]]:
    """The queues or exchanges (``kind``) of RabbitMQ whose name holds ``name``."""
    listed = json.loads(
        output(["rabbitmqctl", "-q", f"list_{kind}", "--formatter", "json", "name", *fields])
    )
    return [entry for entry in listed if name in str(entry["name"])]


def leftovers(name: str) -> list[str]:
    """Everything on the services whose name holds ``name``, one readable line each."""
    return [
        *(f"PostgreSQL database {database}" for database in databases(name)),
        *(f"Redis database {number}: key {key}" for number, key in redis_keys(name)),
        *(
            f"RabbitMQ queue {queue['name']} ({queue['messages']} messages)"
            for queue in rabbitmq("queues", name, "messages")
        ),
        *(f"RabbitMQ exchange {exchange['name']}" for exchange in rabbitmq("exchanges", name)),
    ]


def database_drop(name: str) -> None:
    """Drop database ``name``, ending the sessions a server or PgBouncer still holds on it."""
    output([*PSQL, "-c", f'DROP DATABASE "{name}" WITH (FORCE)'])


# Run by the project's own Python (kombu): rabbitmqctl deletes queues, not exchanges.
DELETE_EXCHANGES = """
import sys
from kombu import Connection, Exchange

with Connection("amqp://guest:guest@127.0.0.1:5672//", connect_timeout=5) as connection:
    for name in sys.argv[1:]:
        Exchange(name, channel=connection.default_channel).delete()
"""


def remove(name: str, python: Path) -> None:
    """Delete everything whose name holds ``name``, so that a failed run leaves nothing either.

    ``python``: an interpreter with kombu (the generated project's).
    """
    for database in databases(name):
        database_drop(database)
    for number, key in redis_keys(name):
        output([*REDIS_CLI, "-n", str(number), "del", key])
    for queue in rabbitmq("queues", name):
        output(["rabbitmqctl", "-q", "delete_queue", str(queue["name"])])
    exchanges = [str(exchange["name"]) for exchange in rabbitmq("exchanges", name)]
    if exchanges:
        output([str(python), "-c", DELETE_EXCHANGES, *exchanges])


def replica_listening() -> bool:
    """Whether a streaming replica (a generated project's scripts/replica.py) is on 5433."""
    return (
        subprocess.run(
            ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5433"], check=False
        ).returncode
        == 0
    )


def stop_replicas(names: str) -> list[str]:
    """Stop the replicas generated projects started from /tmp/<names>-replica-<port>.

    The first project whose ``make services`` finds no replica starts one and the others
    use it, so no single test can stop it: the run does, at its end.
    """
    stopped = []
    for data in Path("/tmp").glob(f"{names}-replica-*/data"):  # noqa: S108 (where replica.py puts them)
        if (data / "postmaster.pid").exists():
            pg_ctl = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1]
            command = [str(pg_ctl), "-D", str(data), "-m", "fast", "-w", "stop"]
            user = data.stat().st_uid
            runner = ["runuser", "-u", "postgres", "--"] if user != os.geteuid() else []
            subprocess.run(
                [*runner, *command], cwd="/", capture_output=True, timeout=60, check=False
            )
            stopped.append(str(data.parent))
        shutil.rmtree(data.parent, ignore_errors=True)
    return stopped
