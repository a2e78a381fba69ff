"""Product list throughput: naive vs optimized vs cached, against a bare view.

Serves the benchmark site (benchmarks/site/) with gunicorn on 127.0.0.1 with
10, 100 and 1,000 products, each endpoint answering the first page of PAGE
products: bare (a plain Django view, no database: the ceiling), bare_api (the same
through ninja: the ceiling of an API operation), bare_list (the page's bytes from
process memory: the ceiling for a body that size), naive (.all() and
attribute access per row), prefetch (instances, select_related + Prefetch),
optimized (the shop's page: one values() query, no cache, encoded once),
validated (the same rows through ninja's response schema and renderer) and
cached (the API's list, GET /api/v1/products). Prints per endpoint the queries per
request, median and p99 latency and requests per second. Every run is bounded
by seconds and a request count. Prints numbers, asserts nothing; the targets
they are read against are in benchmarks/README.md.
"""

from __future__ import annotations

import os

import django

from benchmarks.load import LoadResult, benchmark_run, drive, serve

from tests.support.loopback import HOST

SIZES = (10, 100, 1000)
PAGE = 50
ENDPOINTS = {
    "bare": "/bench/bare/",
    "bare_api": "/bench/api/bare",
    "bare_list": f"/bench/bare-list/?limit={PAGE}",
    "cached": f"/api/v1/products?limit={PAGE}",
    "optimized": f"/bench/products/uncached/?limit={PAGE}",
    "validated": f"/bench/api/products/validated?limit={PAGE}",
    "prefetch": f"/bench/products/prefetch/?limit={PAGE}",
    "naive": f"/bench/products/naive/?limit={PAGE}",
}
CLIENTS = 4
ROUNDS = 3
SECONDS = 6.0  # per endpoint and size, split over the rounds
MAX_REQUESTS = 50_000
# The naive list at 1,000 products takes seconds per request: allow it to finish,
# here and in gunicorn (whose default would kill the worker after 30 s).
REQUEST_TIMEOUT = 120


def reset_catalog(products: int) -> None:
    from {{ cookiecutter.project_slug }}.shop.demo_data import (
        analyze_catalog,
        generate_catalog,
    )
    from {{ cookiecutter.project_slug }}.shop.models import (
        Brand,
        Category,
        Order,
        Product,
    )

    # Orders first: their lines protect the products.
    Order.objects.all().delete()
    Product.objects.all().delete()
    Brand.objects.all().delete()
    Category.objects.all().delete()
    generate_catalog(products=products)  # invalidates the cached list on commit
    analyze_catalog()


def queries_per_request(path: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={"host": HOST})
    client.get(path)  # warm: a cached endpoint is measured on a hit
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return len(captured)


def merged(results: list[LoadResult]) -> LoadResult:
    total = LoadResult(seconds=sum(result.seconds for result in results))
    for result in results:
        total.latencies += result.latencies
        total.errors += result.errors
    return total


def main() -> None:
    with benchmark_run(GUNICORN_CMD_ARGS=f"--timeout {REQUEST_TIMEOUT}") as env:
        compare(env)


def compare(env: dict[str, str]) -> None:
    os.environ.update(env)
    django.setup()
    print(
        f"gunicorn, 2 sync workers, {CLIENTS} keep-alive clients, pages of {PAGE}, "
        f"{ROUNDS} interleaved rounds "
        f"of {SECONDS / ROUNDS:.1f} s per endpoint (the machine's load varies: endpoints "
        "compared with each other are measured side by side)"
    )
    rates: dict[tuple[str, int], float] = {}
    for size in SIZES:
        reset_catalog(size)
        print(f"--- {size} products")
        # A fresh server per size: bare_list keeps the first bytes it served.
        with serve(env) as base:
            queries = {name: queries_per_request(path) for name, path in ENDPOINTS.items()}
            runs: dict[str, list[LoadResult]] = {name: [] for name in ENDPOINTS}
            for path in ENDPOINTS.values():
                # Warm both workers (connections, code paths) before measuring.
                drive(base, path, clients=2, seconds=1.0, max_requests=2, timeout=REQUEST_TIMEOUT)
            for _ in range(ROUNDS):
                for name, path in ENDPOINTS.items():
                    runs[name].append(
                        drive(
                            base,
                            path,
                            clients=CLIENTS,
                            seconds=SECONDS / ROUNDS,
                            max_requests=MAX_REQUESTS,
                            timeout=REQUEST_TIMEOUT,
                        )
                    )
            for name in ENDPOINTS:
                result = merged(runs[name])
                rates[name, size] = result.requests_per_second or float("nan")
                print(f"{name:>10} {queries[name]:5d} queries  {result.summary()}")
            print(
                f"{'':>10} optimized/naive {rates['optimized', size] / rates['naive', size]:.1f}x, "
                f"validated/optimized {rates['validated', size] / rates['optimized', size]:.2f}x, "
                f"prefetch/naive {rates['prefetch', size] / rates['naive', size]:.1f}x, "
                f"cached/bare {rates['cached', size] / rates['bare', size]:.2f}x, "
                f"cached/bare_api {rates['cached', size] / rates['bare_api', size]:.2f}x, "
                f"cached/bare_list {rates['cached', size] / rates['bare_list', size]:.2f}x"
            )
    largest = SIZES[-1]
    print("--- ratios (targets in benchmarks/README.md)")
    print(
        f"optimized / naive at {largest} products: "
        f"{rates['optimized', largest] / rates['naive', largest]:6.1f}x"
    )
    for size in SIZES:
        print(
            f"cached / bare at {size} products: {rates['cached', size] / rates['bare', size]:6.2f}x, "
            f"cached / bare_api: {rates['cached', size] / rates['bare_api', size]:6.2f}x"
        )


if __name__ == "__main__":
    main()
