"""Celery on the configured broker: worker throughput and the batch walk's time and memory.

Prints numbers, asserts nothing. Run by `make bench`, or alone:
    python -m benchmarks.celery
Uses a database, cache prefix and queue of the run's own, removed at the end
(benchmarks/load.py, benchmark_run); the worker runs on 127.0.0.1 only and every
wait is bounded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from celery import Celery
from kombu import Queue

from benchmarks.load import benchmark_run

from config.env import BASE_DIR

TASKS = 1_000
ROWS = (20_000, 100_000)
WAIT_SECONDS = 120


def queue_length(app: Celery, name: str) -> int:
    """Messages waiting (not yet delivered) in the queue; Redis deletes an empty one's key."""
    with app.connection_for_write() as connection:
        queue = Queue(name).bind(connection.default_channel)
        try:
            declared: Any = queue.queue_declare(passive=True)  # the stubs say str
        except connection.channel_errors:
            return 0
        return int(declared.message_count)


def worker_throughput(env: dict[str, str]) -> str:
    """Enqueue TASKS no-op tasks, start a worker, time how fast it empties the queue."""
    from benchmarks.site.tasks import ping

    from config.celery import app

    queue = env["CELERY_TASK_DEFAULT_QUEUE"]
    for _ in range(TASKS):
        ping.delay()
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING"),
            *("--concurrency=2", "--without-mingle", "--without-gossip", "--without-heartbeat"),
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,  # the banner; errors still reach stderr
    )
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while queue_length(app, queue) >= TASKS and time.monotonic() < deadline:
            time.sleep(0.005)
        started = time.monotonic()
        while (left := queue_length(app, queue)) > 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        seconds = time.monotonic() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    if left:
        return f"worker: gave up after {WAIT_SECONDS} s with {left} tasks left"
    return f"worker: {TASKS} no-op tasks in {seconds:.2f} s = {TASKS / seconds:.0f} tasks/s (2 processes)"


def products_reset(rows: int) -> None:
    """`rows` products without images, every tenth claiming one (stale)."""
    from django.db import connection

    from {{ cookiecutter.project_slug }}.shop.models import Brand

    brand, _ = Brand.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    with connection.cursor() as cursor:
        # The benchmark's own database: empty the table (and its dependents) at once.
        cursor.execute("TRUNCATE shop_product CASCADE")
        cursor.execute(
            "INSERT INTO shop_product (brand_id, name, slug, description, price, stock,"
            " image_count, created_at, updated_at)"
            " SELECT %s, 'P' || n, 'p' || n, '', 1, 0,"
            " CASE WHEN n %% 10 = 0 THEN 1 ELSE 0 END, now(), now()"
            " FROM generate_series(0, %s - 1) AS n",
            [brand.pk, rows],
        )


def peak_rss_kib() -> int:
    """This process's peak resident memory (Linux VmHWM; ru_maxrss would include the parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def walk(variant: str) -> None:
    """One way to read every product; run in a fresh process to compare peak RSS."""
    from {{ cookiecutter.project_slug }}.shop.counts import image_counts_rederive
    from {{ cookiecutter.project_slug }}.shop.models import Product

    products = Product.objects.only("pk", "image_count")
    if variant == "keyset batch":
        image_counts_rederive()
    elif variant == "iterator(chunk_size=1000)":
        for _product in products.iterator(chunk_size=1000):
            pass
    else:
        list(products)


def batch(rows: int) -> list[str]:
    from {{ cookiecutter.project_slug }}.shop.counts import image_counts_rederive

    products_reset(rows)
    started = time.perf_counter()
    image_counts_rederive()
    seconds = time.perf_counter() - started
    products_reset(rows)
    tracemalloc.start()
    image_counts_rederive()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    lines = [
        (
            f"batch {rows:>7,} rows: {seconds:6.2f} s, {rows / seconds:>9,.0f} rows/s, "
            f"peak traced {peak / 2**20:6.2f} MiB"
        )
    ]
    for variant in ("keyset batch", "iterator(chunk_size=1000)", "list(queryset)"):
        products_reset(rows)
        result = subprocess.run(
            [sys.executable, "-m", "benchmarks.celery", "--walk", variant],
            cwd=BASE_DIR,
            env=os.environ,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        grown = json.loads(result.stdout.splitlines()[-1])["rss_growth_mib"]
        lines.append(f"    {variant:<26} peak RSS growth {grown:6.1f} MiB")
    return lines


def main() -> None:
    if sys.argv[1:2] == ["--walk"]:
        import django

        django.setup()
        before = peak_rss_kib()
        walk(sys.argv[2])
        print(json.dumps({"rss_growth_mib": (peak_rss_kib() - before) / 1024}))
        return

    with benchmark_run() as env:
        measure(env)


def measure(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings

    broker = settings.CELERY_BROKER_URL.split("://")[0]
    print(f"broker: {broker}, database port: {settings.DATABASES['default']['PORT']}")
    print(worker_throughput(env))
    for rows in ROWS:
        for line in batch(rows):
            print(line)


if __name__ == "__main__":
    main()
