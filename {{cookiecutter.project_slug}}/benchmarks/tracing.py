"""What traces cost: the product list served with tracing off, on at 10 % and on at 100 %.

Three gunicorn servers side by side, each with the shipped
deploy/gunicorn_config.py (gthread, 2 workers, worker recycling off) and the
production request log (INFO, to /dev/null): one without
OTEL_EXPORTER_OTLP_ENDPOINT (nothing instrumented: what every service without
a collector runs), one keeping 10 % of the traces (parentbased_traceidratio
0.1), one keeping all of them. The spans go over OTLP/HTTP to a loopback sink
in this process that reads each export and answers 200, as a collector would,
without decoding it.

First, in this process (no SDK, as with tracing off), what the one piece of
tracing that runs while off costs: the log filter's look at the current span,
per log line (a request writes one). Then two endpoints, each in interleaved rounds: the shop's list (``/api/v1/products``,
a cache hit: one Redis read) and the same page uncached
(``/bench/products/uncached/``: its query every time). Driven by wrk where
installed (else the Python client); req/s, p50/p99 and requests per second of
the servers' own CPU time, and the ratios to tracing off.

Prints numbers, asserts nothing.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import timeit
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from statistics import median

import django

from benchmarks.load import benchmark_run, serve
from benchmarks.middleware import WRK, Rate, load, reset_catalog, stderr_silenced

from tests.support.loopback import HOST

PRODUCTS = 100
CLIENTS = 20
ROUNDS = 5
SECONDS = 15.0  # per server and endpoint, split over the rounds
ENDPOINTS = {"cached list": "/api/v1/products", "uncached list": "/bench/products/uncached/"}
# Name -> the server's tracing variables (the endpoint is added when there is a sink).
SERVERS: dict[str, dict[str, str]] = {
    "tracing off": {},
    "on, 10 % kept": {"OTEL_TRACES_SAMPLER_ARG": "0.1"},
    "on, 100 % kept": {"OTEL_TRACES_SAMPLER_ARG": "1.0"},
}


@contextmanager
def otlp_sink() -> Iterator[tuple[str, list[int]]]:
    """A loopback OTLP/HTTP endpoint that reads each export and answers 200; counts the bytes."""
    received = [0, 0]  # exports, bytes
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = len(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            with lock:
                received[0] += 1
                received[1] += size
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet."""

    server = ThreadingHTTPServer((HOST, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def filter_cost() -> None:
    from {{ cookiecutter.project_slug }}.core.telemetry.traces import TraceContextFilter

    record = logging.LogRecord("bench", logging.INFO, __file__, 0, "a line", (), None)
    trace_filter = TraceContextFilter()
    calls = 200_000
    best = min(timeit.repeat(lambda: trace_filter.filter(record), number=calls, repeat=5))
    print(f"tracing off: the log filter costs {best / calls * 1e6:.2f} µs a line (best of 5)")


def served(env: dict[str, str]) -> None:
    with (
        tempfile.TemporaryDirectory() as metrics,
        otlp_sink() as (sink, received),
        stderr_silenced(),
        ExitStack() as servers,
    ):
        common = {**env, "WEB_METRICS_BIND": "", "WEB_CONCURRENCY": "2", "WEB_MAX_REQUESTS": "0"}
        bases = {}
        for number, (name, tracing) in enumerate(SERVERS.items()):
            directory = Path(metrics) / str(number)
            directory.mkdir()
            exporting = {"OTEL_EXPORTER_OTLP_ENDPOINT": sink} if tracing else {}
            server_env = {
                **common,
                **tracing,
                **exporting,
                "PROMETHEUS_MULTIPROC_DIR": str(directory),
            }
            bases[name] = servers.enter_context(serve(server_env, shipped_config=True))
        runs: dict[tuple[str, str], list[Rate]] = {
            (server, endpoint): [] for server in SERVERS for endpoint in ENDPOINTS
        }
        for server, endpoint in runs:  # warm: connections, the cached page
            load(bases[server], ENDPOINTS[endpoint], clients=2, seconds=1)
        for _ in range(ROUNDS):
            for (server, endpoint), rates in runs.items():
                rates.append(
                    load(
                        bases[server],
                        ENDPOINTS[endpoint],
                        clients=CLIENTS,
                        seconds=SECONDS / ROUNDS,
                    )
                )
        exports, size = received
    print(
        "served: gunicorn -c deploy/gunicorn_config.py (gthread, 2 workers), "
        f"{CLIENTS} keep-alive clients ({'wrk' if WRK else 'the Python client'}), "
        f"{ROUNDS} interleaved rounds of {SECONDS / ROUNDS:.0f} s, medians; "
        f"the sink received {exports} exports, {size / 1e6:.1f} MB"
    )
    for endpoint in ENDPOINTS:
        off: Rate | None = None
        for server in SERVERS:
            rates = runs[server, endpoint]
            rate = Rate(
                median(rate.requests_per_second for rate in rates),
                median(rate.p50 for rate in rates),
                median(rate.p99 for rate in rates),
                sum(rate.errors for rate in rates),
                median(rate.per_cpu_second for rate in rates),
            )
            off = off or rate
            print(
                f"{endpoint + ', ' + server:>32}  {rate.summary()}  "
                f"{rate.requests_per_second / off.requests_per_second:.2f}x req/s, "
                f"{rate.per_cpu_second / off.per_cpu_second:.2f}x per CPU second of tracing off"
            )


def main() -> None:
    with benchmark_run(DJANGO_LOG_LEVEL="INFO") as env, tempfile.TemporaryDirectory() as metrics:
        os.environ.update(env, PROMETHEUS_MULTIPROC_DIR=metrics)
        django.setup()
        reset_catalog(PRODUCTS)
        filter_cost()
        served(env)


if __name__ == "__main__":
    main()
