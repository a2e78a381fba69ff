"""A silent Redis against a refusing one: what the cache's circuit breaker buys the product list.

The production server (gunicorn with the shipped configuration, 2 workers of
WEB_THREADS threads) serves the product list to 20 clients while its Redis
is gone, two ways: refusing connections (a stopped server: each call fails
at once), and silent (a loopback peer that accepts connections, reads the
commands and never answers: a partition, a hung node). Each way with the
breaker (core/cache/breaker.py, as shipped) and without it
(``BENCH_CACHE_BREAKER=off``: redis-py's own client, every ignored error
logged with its traceback, as before the breaker). Every request misses the
cache and computes the page from PostgreSQL (one query).

Both servers of a way run side by side and are driven in interleaved
rounds, so that both see the same load of a shared machine. Prints req/s and
p50/p99 of each case, the silent/refused ratio with and without the breaker
(target: at least 0.5), how many requests took a socket timeout or more, the
cache's log lines over the 30 s of silent outage under load (target: a
handful, not one per request) and the workers gunicorn booted meanwhile (each
recycled worker, WEB_MAX_REQUESTS, is a new process that learns of the outage
afresh). Bounded: each round by its seconds and request count, each request
by REQUEST_TIMEOUT; the servers and the silent peer stop with their blocks.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.load import LoadResult, benchmark_run, drive, shell

from tests.support.loopback import HOST, closed_port, silent_peer
from tests.support.servers import Server, production_server

CLIENTS = 20
ROUNDS = 3
REFUSED_SECONDS = 4.0  # a round's run against the refusing Redis
SILENT_SECONDS = 10.0  # against the silent one: 30 s of silent outage in all
MAX_REQUESTS = 100_000
REQUEST_TIMEOUT = 10.0
SOCKET_TIMEOUT = 0.5  # config/settings/cache.py: a request that waited this long met Redis
PATH = "/api/v1/products"
PRODUCTS = 200
# A line of the cache's own loggers (the breaker, the stampede lock, django-redis).
CACHE_LINE = re.compile(r'"logger": "(django_redis[.a-z_]*|[a-z_0-9]+\.core\.cache[.a-z_]*)"')

# The breaker's cost while closed: the guard alone around a call that does nothing, and
# a GET of a key through redis-py's client and through the project's on the real Redis
# (interleaved, best of 5; no server, no Django).
HOT_PATH = """
import os
import time

from redis import Redis

from {{ cookiecutter.project_slug }}.core.cache.breaker import CircuitBreakingRedis, cache_breaker, call_guarded


def best_microseconds(call, calls):
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(calls):
            call()
        best = min(best, (time.perf_counter() - started) / calls * 1e6)
    return best


breaker = cache_breaker("bench:guard")
guard = best_microseconds(lambda: call_guarded(breaker, int), 200_000)
bare = best_microseconds(int, 200_000)
url = os.environ["REDIS_URL"]
plain, guarded = Redis.from_url(url), CircuitBreakingRedis.from_url(url)
key = "bench:" + os.environ["CACHE_KEY_PREFIX"] + ":hot"
plain.set(key, b"x" * 100, ex=60)
round_trips = [best_microseconds(lambda: client.get(key), 20_000) for client in (plain, guarded)]
plain.delete(key)
print(f"{guard - bare:.2f} {round_trips[0]:.1f} {round_trips[1]:.1f}")
"""

SEED = """
from {{ cookiecutter.project_slug }}.shop.demo_data import analyze_catalog, generate_catalog

generate_catalog(products=%d)
analyze_catalog()
print("seeded")
"""


@dataclass
class Case:
    redis: str  # "refused" or "silent"
    breaker: bool
    server: Server
    result: LoadResult = field(default_factory=lambda: LoadResult(seconds=0.0))
    log_start: int = 0

    @property
    def name(self) -> str:
        return f"{self.redis:8} {'breaker' if self.breaker else 'none   '}"

    def drive(self, seconds: float) -> None:
        result = drive(
            self.server.url,
            PATH,
            clients=CLIENTS,
            seconds=seconds,
            max_requests=MAX_REQUESTS,
            timeout=REQUEST_TIMEOUT,
        )
        self.result.seconds += result.seconds
        self.result.latencies += result.latencies
        self.result.errors += result.errors

    def waited(self) -> int:
        """Requests that took a socket timeout or more: they met Redis (or queued behind one)."""
        return sum(1 for seconds in self.result.latencies if seconds >= SOCKET_TIMEOUT)

    def log(self) -> tuple[int, int, int]:
        """Since the first round: the cache's log lines, their tracebacks, the workers booted."""
        lines = self.server.log.read_bytes()[self.log_start :].decode(errors="replace")
        cache = [line for line in lines.splitlines() if CACHE_LINE.search(line)]
        tracebacks = sum(1 for line in cache if '"exc_info"' in line)
        return len(cache), tracebacks, lines.count("Booting worker")


@contextmanager
def servers(env: dict[str, str], *, breaker: bool, folder: Path) -> Iterator[list[Case]]:
    """The production server against a refusing Redis and one against a silent Redis."""
    overrides = {} if breaker else {"BENCH_CACHE_BREAKER": "off"}
    label = "breaker" if breaker else "none"
    with (
        silent_peer(lifetime=ROUNDS * (REFUSED_SECONDS + SILENT_SECONDS) + 120) as peer,
        production_server(
            {**env, **overrides, "REDIS_URL": f"redis://{HOST}:{closed_port()}/0"},
            log=folder / f"refused-{label}.log",
            workers=2,
        ) as refused,
        production_server(
            {**env, **overrides, "REDIS_URL": f"redis://{HOST}:{peer.port}/0"},
            log=folder / f"silent-{label}.log",
            workers=2,
        ) as silent,
    ):
        cases = [Case("refused", breaker, refused), Case("silent", breaker, silent)]
        for case in cases:
            case.log_start = case.server.log.stat().st_size
        yield cases


def run(env: dict[str, str], *, breaker: bool, folder: Path) -> list[Case]:
    """Interleaved rounds, so both cases see the same machine load."""
    with servers(env, breaker=breaker, folder=folder) as cases:
        refused, silent = cases
        for _ in range(ROUNDS):
            refused.drive(REFUSED_SECONDS)
            silent.drive(SILENT_SECONDS)
        return cases


def main() -> None:
    with benchmark_run() as env, tempfile.TemporaryDirectory() as folder:
        shell(env, SEED % PRODUCTS)
        print(
            f"The product list ({PRODUCTS} products, every request a cache miss) on gunicorn "
            f"(2 workers, shipped config), {CLIENTS} clients, {ROUNDS} interleaved rounds of "
            f"Redis refusing for {REFUSED_SECONDS:.0f} s and silent for {SILENT_SECONDS:.0f} s"
        )
        guard, plain, guarded = (float(part) for part in shell(env, HOT_PATH).split())
        print(
            f"  the closed breaker's guard: {guard:.2f} us a call; a GET on the real Redis "
            f"(best of 5 x 20,000): redis-py {plain:.1f} us, behind the breaker {guarded:.1f} us"
        )
        for breaker in (False, True):
            refused, silent = run(env, breaker=breaker, folder=Path(folder))
            for case in (refused, silent):
                lines, tracebacks, boots = case.log()
                print(
                    f"  {case.name} {case.result.summary()}  waited >= {SOCKET_TIMEOUT} s: "
                    f"{case.waited()}  cache log lines {lines} (tracebacks {tracebacks}), "
                    f"workers booted {boots}"
                )
            ratio = (
                silent.result.requests_per_second / refused.result.requests_per_second
                if refused.result.requests_per_second
                else float("nan")
            )
            print(
                f"  {'with' if breaker else 'without'} the breaker: silent/refused "
                f"{ratio:.2f}x (target >= 0.5)"
            )


if __name__ == "__main__":
    main()
