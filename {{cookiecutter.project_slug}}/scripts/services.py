#!/usr/bin/env python3
"""Check that the services the project needs listen on 127.0.0.1.

PostgreSQL, Redis and the broker are system services (or compose.yaml's), not
started here: when one is missing the script says which and how to start it,
and exits 1, before a test run fails in a more confusing way.
"""

from __future__ import annotations

import socket
import sys
import time

REQUIRED = {
    "PostgreSQL": (
        5432,
        "start it with 'pg_ctlcluster <version> main start' or 'docker compose up -d postgres'",
    ),
    "Redis": (
        6379,
        "start it with 'redis-server --daemonize yes --bind 127.0.0.1' or 'docker compose up -d redis'",
    ),
{%- if cookiecutter.celery_broker == 'rabbitmq' %}
    "RabbitMQ": (
        5672,
        "start it with 'rabbitmq-server -detached' or 'docker compose up -d rabbitmq'",
    ),
{%- endif %}
}


def listening(port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
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


def main() -> None:
    missing = [
        f"  - {name} is not reachable on 127.0.0.1:{port}: {how}."
        for name, (port, how) in REQUIRED.items()
        if not listening(port)
    ]
    if missing:
        print(
            "ERROR: required local services are not running:", *missing, sep="\n", file=sys.stderr
        )
        sys.exit(1)
    for name, (port, _) in REQUIRED.items():
        print(f"{name}: listening on 127.0.0.1:{port}")


if __name__ == "__main__":
    main()
