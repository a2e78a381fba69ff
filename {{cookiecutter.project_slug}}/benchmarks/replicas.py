"""Read replicas: read throughput with the primary alone and with a replica, and
how many write-then-read-back requests read stale data with and without read-your-writes.

Against the streaming replica `make services` runs (TEST_REPLICA_URL, which the
Makefile sets; the run's database reaches it through WAL). Throughput: GET
/bench/products/<pk>/stock/ (one indexed query) under gunicorn, 2 workers x 4
threads, 16 clients, 8 s per scenario: DATABASE_REPLICA_URLS empty, then the
replica. Stale reads: 200 rounds of POST a new brand, then GET it back from one
client: with read-your-writes (the client sends the db_position cookie back, as
a browser does) and without (it does not: a plain primary/replica router).
Prints numbers, asserts nothing.
"""

from __future__ import annotations

import http.client
import os
import time
from urllib.parse import urlsplit

import psycopg

from benchmarks.connections import product_for_benchmark
from benchmarks.load import benchmark_run, drive, serve

from tests.support.loopback import HOST

CLIENTS = 16
SECONDS = 8.0
MAX_REQUESTS = 200_000
WORKERS = 2
THREADS = 4
ROUNDS = 200


def replica_database_url(env: dict[str, str]) -> str:
    """The run's database on the replica, once its CREATE DATABASE has been replayed."""
    replica = os.environ.get("TEST_REPLICA_URL", "")
    if not replica:
        raise SystemExit("TEST_REPLICA_URL is not set: run it with make bench BENCH=replicas.")
    database = urlsplit(env["DATABASE_URL"]).path
    url = urlsplit(replica)._replace(path=database).geturl()
    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2, prepare_threshold=None) as connection:
                connection.execute("SELECT 1 FROM shop_product LIMIT 1")
        except psycopg.Error:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        else:
            return url


def stale_reads(base: str, *, send_cookie: bool, run: str) -> int:
    """Of ROUNDS writes, how many the same client's next read did not see."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    cookie = ""
    stale = 0
    try:
        for index in range(ROUNDS):
            slug = f"{run}-{index}"
            connection.request("POST", f"/bench/brands/{slug}/write/", headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            if send_cookie:
                set_cookie = response.getheader("Set-Cookie") or ""
                cookie = set_cookie.split(";", 1)[0] if set_cookie else cookie
            connection.request("GET", f"/bench/brands/{slug}/", headers={"Cookie": cookie})
            response = connection.getresponse()
            stale += b'"found":false' in response.read().replace(b" ", b"")
    finally:
        connection.close()
    return stale


def main() -> None:
    if HOST not in os.environ.get("TEST_REPLICA_URL", HOST):
        raise SystemExit("benchmarks only use a replica on 127.0.0.1")
    with benchmark_run(GUNICORN_CMD_ARGS=f"--threads {THREADS}") as env:
        path = f"/bench/products/{product_for_benchmark(env)}/stock/"
        with_replica = {
            **env,
            "DATABASE_REPLICA_URLS": replica_database_url(env),
            # The lag measured is an upper bound (docs/replicas.md): other runs writing on
            # this machine's primary would have the replica skipped, and nothing measured.
            "DATABASE_REPLICA_MAX_LAG": "60",
        }
        print(
            f"GET {path}: gunicorn {WORKERS} workers x {THREADS} threads, {CLIENTS} clients, "
            f"{SECONDS:.0f} s per scenario"
        )
        for name, scenario in (("primary only", env), ("primary + 1 replica", with_replica)):
            with serve(scenario, workers=WORKERS) as base:
                drive(base, path, clients=CLIENTS, seconds=1, max_requests=500)  # warm up
                result = drive(
                    base, path, clients=CLIENTS, seconds=SECONDS, max_requests=MAX_REQUESTS
                )
            print(f"{name:24} {result.summary()}")
        print(f"Write, then read it back, {ROUNDS} times from one client, with the replica:")
        with serve(with_replica, workers=WORKERS) as base:
            for name, send_cookie in (("without read-your-writes", False), ("with", True)):
                stale = stale_reads(base, send_cookie=send_cookie, run=f"rw{int(send_cookie)}")
                print(f"{name:24} {stale:4d} of {ROUNDS} reads stale")


if __name__ == "__main__":
    main()
