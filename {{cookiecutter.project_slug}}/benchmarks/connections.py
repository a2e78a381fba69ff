"""What connection handling costs per request, and how many PostgreSQL backends it takes.

Serves GET /bench/products/<pk>/stock/ (one indexed query, benchmarks/site/)
with gunicorn, 2 workers x 4 threads, under 50 concurrent clients on
127.0.0.1, twice: with the configured settings and with a new connection per
request (BENCH_CONNECTION_PER_REQUEST: CONN_MAX_AGE=0, no pool). While the load runs, a direct connection samples
pg_stat_activity for the benchmark database; pg_stat_database.sessions counts
the sessions PostgreSQL had to start. Prints numbers, asserts nothing.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import psycopg

from benchmarks.load import benchmark_run, drive, serve, shell

CLIENTS = 50
SECONDS = 8.0
MAX_REQUESTS = 200_000
WORKERS = 2
THREADS = 4
# Backends are counted on PostgreSQL itself, never through PgBouncer.
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SCENARIOS = {
    "configured ({{ cookiecutter.database_pooling }})": {},
    "new connection per request": {"BENCH_CONNECTION_PER_REQUEST": "1"},
}


@dataclass
class Backends:
    peak: int = 0
    sessions_started: int = 0


def sessions_started(database: str) -> int:
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as admin:
        time.sleep(0.7)  # statistics reach pg_stat_database with a short delay
        row = admin.execute(
            "SELECT coalesce(sum(sessions), 0) FROM pg_stat_database WHERE datname = %s",
            [database],
        ).fetchone()
    return int(row[0]) if row else 0


@contextmanager
def sample_backends(database: str, interval: float = 0.05) -> Iterator[Backends]:
    """Sample the backends connected to `database` until the block ends."""
    result = Backends()
    stop = threading.Event()
    before = sessions_started(database)

    def sample() -> None:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as admin:
            while not stop.wait(interval):
                row = admin.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                    [database],
                ).fetchone()
                result.peak = max(result.peak, int(row[0]) if row else 0)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield result
    finally:
        stop.set()
        sampler.join(timeout=10)
    result.sessions_started = sessions_started(database) - before


def product_for_benchmark(env: dict[str, str]) -> int:
    """One product to read, in the run's own database."""
    code = (
        "from {{ cookiecutter.project_slug }}.shop.models import Brand, Product; "
        "brand, _ = Brand.objects.get_or_create(slug='bench', defaults={'name': 'Bench'}); "
        "product, _ = Product.objects.get_or_create(slug='bench-anvil', "
        "defaults={'brand': brand, 'name': 'Anvil', 'price': 1, 'stock': 10}); "
        "print(product.pk)"
    )
    return int(shell(env, code))


def main() -> None:
    with benchmark_run(GUNICORN_CMD_ARGS=f"--threads {THREADS}") as env:
        compare(env)


def compare(env: dict[str, str]) -> None:
    database = unquote(urlsplit(env["DATABASE_URL"]).path.lstrip("/"))
    path = f"/bench/products/{product_for_benchmark(env)}/stock/"
    print(
        f"GET {path}: gunicorn {WORKERS} workers x {THREADS} threads, {CLIENTS} clients, "
        f"{SECONDS:.0f} s per scenario, database {database!r}"
    )
    for name, variables in SCENARIOS.items():
        with serve({**env, **variables}, workers=WORKERS) as base:
            drive(base, path, clients=CLIENTS, seconds=1, max_requests=500)  # warm up
            with sample_backends(database) as backends:
                result = drive(
                    base, path, clients=CLIENTS, seconds=SECONDS, max_requests=MAX_REQUESTS
                )
        print(f"{name:32} {result.summary()}")
        print(
            f"{'':32} PostgreSQL backends: peak {backends.peak}, "
            f"sessions started {backends.sessions_started}"
        )


if __name__ == "__main__":
    main()
