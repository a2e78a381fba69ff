"""What the production middleware costs: the same bare view with the stack and without it.

Both measures serve ``/bench/bare/`` (a plain Django view, no database, no
cache) under production settings with the request log on (INFO, JSON, as
production logs by default; the lines go to /dev/null), and the cached
product page (``/api/v1/products``, a hit) beside it:

- in-process: Django's WSGI handler called directly with no middleware, then
  with each longer prefix of settings.MIDDLEWARE up to the whole stack (a
  middleware's cost is its prefix minus the one before: it may need those
  before it, never those after), in interleaved rounds; CPU microseconds per
  request, the best round of each;
- served: gunicorn with the shipped deploy/gunicorn_config.py (gthread, 2
  workers, its threads, multiprocess metrics; worker recycling off, whose
  restarts would cost more than any middleware), four servers side by side:
  no middleware (``BENCH_MIDDLEWARE=none``), Django's own only (``=django``:
  the project's probe, telemetry and API middlewares left out), the
  production stack, and the production stack with its request log off
  (WARNING); the cached page and its 304 on the production stack. Driven by
  wrk where installed (else the Python client, which takes CPU from the
  servers on a small machine and sends no If-None-Match); req/s, and requests
  per second of the servers' own CPU time (/proc), which other work on the
  machine does not move; the ratios the targets in benchmarks/README.md are
  read against.

Prints numbers, asserts nothing.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import django

from benchmarks.load import benchmark_run, drive, serve

from tests.support.loopback import HOST

BARE = "/bench/bare/"
CACHED = "/api/v1/products"
PRODUCTS = 100
DJANGO_ONLY = "bare, Django's middleware only"
QUIET = "bare, stack, request log off"
ITERATIONS = 4000
ROUNDS = 5
CLIENTS = 20
SERVED_ROUNDS = 5
SECONDS = 15.0  # per server and endpoint, split over the rounds
MAX_REQUESTS = 100_000
# A client that takes little CPU from the server on a small machine (apt-get install wrk).
WRK = shutil.which("wrk")


def environ_for(path: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": HOST,
        "SERVER_PORT": "8000",
        "HTTP_HOST": HOST,
        "REMOTE_ADDR": HOST,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate",
        "HTTP_USER_AGENT": "bench",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def handler_with(middleware: Iterable[str]) -> Callable[..., Any]:
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=list(middleware)):
        return WSGIHandler()


def per_request(handler: Callable[..., Any], path: str, iterations: int) -> float:
    """CPU microseconds per request through ``handler``."""

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        if not status.startswith("200"):
            raise RuntimeError(f"{path} answered {status}")

    # This process's CPU time: what other work on the machine takes is not counted.
    started = time.process_time()
    for _ in range(iterations):
        response = handler(environ_for(path), start_response)
        for _chunk in response:
            pass
        response.close()
    return (time.process_time() - started) / iterations * 1e6


def short(entry: str) -> str:
    return entry.rsplit(".", 1)[-1]


def in_process() -> None:
    """Each middleware's cost: the stack up to it minus the stack up to the one before.

    Prefixes, not the stack without one: a middleware may need those before it
    (authentication needs sessions), never those after it.
    """
    from django.conf import settings

    stack = list(settings.MIDDLEWARE)
    prefixes = [stack[:length] for length in range(len(stack) + 1)]
    handlers = [handler_with(prefix) for prefix in prefixes]
    best = [float("inf")] * len(handlers)
    cached = float("inf")
    for handler in handlers:
        per_request(handler, BARE, 200)  # warm
    per_request(handlers[-1], CACHED, 200)
    for _ in range(ROUNDS):
        for index, handler in enumerate(handlers):
            best[index] = min(best[index], per_request(handler, BARE, ITERATIONS))
        cached = min(cached, per_request(handlers[-1], CACHED, ITERATIONS))
    print(f"in-process, {BARE}, best of {ROUNDS} rounds of {ITERATIONS} requests, us/request:")
    print(f"{'no middleware':>32} {best[0]:7.1f}")
    for index, entry in enumerate(stack, 1):
        print(
            f"{'+ ' + short(entry):>32} {best[index]:7.1f}  (+{best[index] - best[index - 1]:5.1f})"
        )
    print(
        f"in-process: the stack adds {best[-1] - best[0]:.1f} us to {best[0]:.1f} us; "
        f"no middleware / production stack throughput {best[-1] / best[0]:.2f}x, "
        f"production stack / no middleware {best[0] / best[-1]:.2f}x"
    )
    print(
        f"in-process: the cached page {cached:.1f} us/request with the stack: "
        f"{best[-1] / cached:.2f}x the project's bare view, {best[0] / cached:.2f}x a bare Django view"
    )


@contextmanager
def stderr_silenced() -> Iterator[None]:
    """The servers' request lines (and this process's) to /dev/null while the block runs."""
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def reset_catalog(products: int) -> None:
    from {{ cookiecutter.project_slug }}.shop.demo_data import (
        analyze_catalog,
        generate_catalog,
    )

    generate_catalog(products=products)
    analyze_catalog()


def served(env: dict[str, str]) -> None:
    """The production stack and no middleware side by side, each in its own gunicorn."""
    endpoints: dict[str, tuple[str, str, tuple[str, ...]]] = {
        "bare, no middleware": ("none", BARE, ()),
        DJANGO_ONLY: ("django", BARE, ()),
        "bare, production stack": ("stack", BARE, ()),
        QUIET: ("quiet", BARE, ()),
        "cached page, production stack": ("stack", CACHED, ()),
    }
    with tempfile.TemporaryDirectory() as metrics:
        # No recycling: a worker's restart (WEB_MAX_REQUESTS) is about a second of CPU,
        # which would blur what the middleware costs. BENCH_MAX_REQUESTS=10000 (the shipped
        # value) measures with it (req/s only: a replaced worker's CPU time leaves /proc).
        common = {
            **env,
            "WEB_METRICS_BIND": "",
            "WEB_CONCURRENCY": "2",
            "WEB_MAX_REQUESTS": os.environ.get("BENCH_MAX_REQUESTS", "0"),
        }
        with stderr_silenced(), ExitStack() as servers:
            bases = {}
            for name, level in (
                ("none", "INFO"),
                ("django", "INFO"),
                ("stack", "INFO"),
                ("quiet", "WARNING"),
            ):
                directory = Path(metrics) / name
                directory.mkdir()
                bases[name] = servers.enter_context(
                    serve(
                        {
                            **common,
                            "BENCH_MIDDLEWARE": name,
                            "DJANGO_LOG_LEVEL": level,
                            "PROMETHEUS_MULTIPROC_DIR": str(directory),
                        },
                        shipped_config=True,
                    )
                )
            if WRK is not None:  # the Python client sends no header
                etag = current_etag(bases["stack"] + CACHED)
                endpoints["cached page 304, production stack"] = (
                    "stack",
                    CACHED,
                    (f"If-None-Match: {etag}",),
                )
            runs: dict[str, list[Rate]] = {name: [] for name in endpoints}
            for server, path, headers in endpoints.values():
                load(bases[server], path, clients=2, seconds=1, headers=headers)  # warm
            for _ in range(SERVED_ROUNDS):
                for name, (server, path, headers) in endpoints.items():
                    runs[name].append(
                        load(
                            bases[server],
                            path,
                            clients=CLIENTS,
                            seconds=SECONDS / SERVED_ROUNDS,
                            headers=headers,
                        )
                    )
    print(
        f"served: gunicorn -c deploy/gunicorn_config.py (gthread, 2 workers, "
        f"{env.get('WEB_THREADS', '4')} threads), {CLIENTS} keep-alive clients "
        f"({'wrk' if WRK else 'the Python client: install wrk for figures less bound by it'}), "
        f"{SERVED_ROUNDS} interleaved rounds of {SECONDS / SERVED_ROUNDS:.0f} s, medians"
    )
    medians = {
        name: Rate(
            median(rate.requests_per_second for rate in rates),
            median(rate.p50 for rate in rates),
            median(rate.p99 for rate in rates),
            sum(rate.errors for rate in rates),
            median(rate.per_cpu_second for rate in rates),
        )
        for name, rates in runs.items()
    }
    for name, rate in medians.items():
        print(f"{name:>34}  {rate.summary()}")
    for measure in ("requests_per_second", "per_cpu_second"):
        value = {name: getattr(rate, measure) for name, rate in medians.items()}
        bare, own = value["bare, no middleware"], value["bare, production stack"]
        cached = value["cached page, production stack"]
        line = (
            f"{'req/s' if measure == 'requests_per_second' else 'per server CPU second'}: "
            f"production stack / no middleware {own / bare:.2f}x "
            f"(Django's middleware only {value[DJANGO_ONLY] / bare:.2f}x, "
            f"the stack without its request log {value[QUIET] / bare:.2f}x), "
            f"cached page / the project's bare view {cached / own:.2f}x, "
            f"cached page / a bare Django view {cached / bare:.2f}x"
        )
        if "cached page 304, production stack" in value:
            line += f", 304 / 200 {value['cached page 304, production stack'] / cached:.2f}x"
        print(line)


def current_etag(url: str) -> str:
    """The ETag the server gives the page now (a 200 stores it in the cache too)."""
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback only)
        return str(response.headers["ETag"])


@dataclass
class Rate:
    """What one load run measured: requests per second and latency percentiles (ms).

    ``per_cpu_second``: requests per second of the server's own CPU time (its
    master and workers), where /proc tells it: what a request costs the server,
    whatever else the machine was busy with meanwhile.
    """

    requests_per_second: float
    p50: float
    p99: float
    errors: int
    per_cpu_second: float = float("nan")

    def summary(self) -> str:
        return (
            f"{self.requests_per_second:8.1f} req/s  p50 {self.p50:6.2f} ms  "
            f"p99 {self.p99:6.2f} ms  errors {self.errors}  "
            f"{self.per_cpu_second:8.1f} req per server CPU second"
        )


def server_cpu_seconds(base_url: str) -> float:
    """CPU seconds used so far by the gunicorn serving ``base_url`` (all its processes).

    Found by the bind address on their command line (workers are forks of the
    master); NaN where there is no /proc.
    """
    bind = base_url.removeprefix("http://")
    total = 0.0
    try:
        entries = list(Path("/proc").iterdir())
    except OSError:
        return float("nan")
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            if b"gunicorn" not in command or bind.encode() not in command:
                continue
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # gone meanwhile
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return total


WRK_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
WRK_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
WRK_TOTAL = re.compile(r"^\s+(\d+) requests in ", re.MULTILINE)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
WRK_ERRORS = re.compile(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*?timeout (\d+)")
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def load(
    base_url: str, path: str, *, clients: int, seconds: float, headers: Iterable[str] = ()
) -> Rate:
    """wrk when installed (C, one thread: the server keeps the CPU), else the Python client.

    ``headers`` ("Name: value") need wrk: the Python client sends none.
    """
    if not base_url.startswith(f"http://{HOST}:"):
        raise ValueError("benchmarks only target 127.0.0.1")
    cpu_before = server_cpu_seconds(base_url)
    if WRK is None:
        result = drive(base_url, path, clients=clients, seconds=seconds, max_requests=MAX_REQUESTS)
        return Rate(
            result.requests_per_second,
            result.percentile(0.5),
            result.percentile(0.99),
            result.errors,
            len(result.latencies) / (server_cpu_seconds(base_url) - cpu_before),
        )
    output = subprocess.run(
        [WRK, "-t1", f"-c{clients}", f"-d{seconds:.0f}s", "--latency", "--timeout", "10s",
         *(part for header in headers for part in ("-H", header)), base_url + path],
        capture_output=True, text=True, check=True, timeout=seconds + 30,
    ).stdout  # fmt: skip
    latencies = {int(q): float(v) * UNITS[u] for q, v, u in WRK_LATENCY.findall(output)}
    cpu = server_cpu_seconds(base_url) - cpu_before
    rate = WRK_RATE.search(output)
    total = WRK_TOTAL.search(output)
    errors = sum(int(n or 0) for match in WRK_ERRORS.findall(output) for n in match)
    return Rate(
        float(rate.group(1)) if rate else 0.0,
        latencies[50],
        latencies[99],
        errors,
        int(total.group(1)) / cpu if total and cpu > 0 else float("nan"),
    )


def main() -> None:
    # Production logs each request at INFO: measured with its line, written to /dev/null.
    with benchmark_run(DJANGO_LOG_LEVEL="INFO") as env, tempfile.TemporaryDirectory() as metrics:
        # The metrics as production keeps them: in files, shared by the processes.
        os.environ.update(env, PROMETHEUS_MULTIPROC_DIR=metrics)
        django.setup()
        reset_catalog(PRODUCTS)
        with stderr_silenced():
            in_process()
        served(env)


if __name__ == "__main__":
    main()
