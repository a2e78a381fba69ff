#!/usr/bin/env python3
"""Check that the services the settings point at are listening.

PostgreSQL, Redis and the broker are system services (or compose.yaml's), not
started here. Their addresses are read as the settings read them: the
environment, then ``.env``, then the development defaults, so a project whose
Redis is moved to another port is checked there. When one is missing the
script names it, its variable and its address, says how to start it, and exits
1, before a test run fails in a more confusing way.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from config.settings.development import DEVELOPMENT_DEFAULTS  # noqa: E402

# URL scheme -> (service kind, its default port).
SCHEMES = {
    "postgres": ("postgres", 5432),
    "postgresql": ("postgres", 5432),
    "redis": ("redis", 6379),
    "rediss": ("redis", 6379),
    "amqp": ("amqp", 5672),
    "amqps": ("amqp", 5671),
}
HOW_TO_START = {
    "postgres": "start it with 'pg_ctlcluster <version> main start' or 'docker compose up -d postgres'",
    "redis": "start it with 'redis-server --daemonize yes --bind 127.0.0.1' or 'docker compose up -d redis'",
    "amqp": "start it with 'rabbitmq-server -detached' or 'docker compose up -d rabbitmq'",
}
NAMES = {"postgres": "PostgreSQL", "redis": "Redis", "amqp": "RabbitMQ"}
# (what it is, the variables naming it, first non-empty wins). Migrations reach
# PostgreSQL directly: where DATABASE_URL is PgBouncer, make services starts it next.
SERVICES = (
    ("database", ("DATABASE_MIGRATION_URL", "DATABASE_URL")),
    ("cache", ("REDIS_URL",)),
    ("Celery broker", ("CELERY_BROKER_URL",)),
)


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of ``.env``, read as config/env.py reads them."""
    if not path.exists():
        return {}
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and not key.startswith("#"):
            values[key.strip()] = value.strip().strip("'\"")
    return values


class Service(NamedTuple):
    name: str
    variable: str
    host: str
    port: int
    how_to_start: str


def addresses(environ: Mapping[str, str], dotenv: Mapping[str, str]) -> list[Service]:
    """Each service the settings will use, from the variable that names it."""
    found = []
    for role, variables in SERVICES:
        for variable in variables:
            url = next(
                (
                    source[variable]
                    for source in (environ, dotenv, DEVELOPMENT_DEFAULTS)
                    if variable in source
                ),
                "",
            )
            if url:
                break
        parts = urlsplit(url)
        kind, default_port = SCHEMES.get(parts.scheme, (parts.scheme, 0))
        found.append(
            Service(
                name=f"{NAMES.get(kind, parts.scheme)} ({role})",
                variable=variable,
                host=parts.hostname or "127.0.0.1",
                port=parts.port or default_port,
                how_to_start=HOW_TO_START.get(kind, "start it"),
            )
        )
    return found


def listening(port: int, timeout: float = 1.0, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if listening(port, timeout=0.5):
            return True
        time.sleep(0.2)
    return False


def main(environ: Mapping[str, str] = os.environ, dotenv_path: Path = PROJECT / ".env") -> None:
    services = addresses(environ, read_dotenv(dotenv_path))
    missing = [
        f"  - {service.name} is not reachable on {service.host}:{service.port} "
        f"({service.variable}): {service.how_to_start}."
        for service in services
        if not listening(service.port, host=service.host)
    ]
    if missing:
        print("ERROR: required services are not running:", *missing, sep="\n", file=sys.stderr)
        sys.exit(1)
    for service in services:
        print(f"{service.name}: listening on {service.host}:{service.port} ({service.variable})")


if __name__ == "__main__":
    main()
