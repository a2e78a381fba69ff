"""Prometheus metrics: what every request, cache lookup, pool and task adds up to.

Why prometheus-client's multiprocess mode: gunicorn runs several worker
processes and Celery several pool processes; a scrape of one process's memory
would show a random fraction. With PROMETHEUS_MULTIPROC_DIR set (the gunicorn
config and the worker's environment set it), each process writes its values
to files there, and ``metrics_serve`` sums them on a port of its own: the
gunicorn master's (WEB_METRICS_BIND) or the Celery worker's
(CELERY_WORKER_METRICS_BIND). Never route that port through the public load
balancer: it names every route and how busy it is.

Labels stay few and bounded: the route pattern (``api/v1/products/<int:pk>``),
never the raw path; a cache namespace without its object id.

Imports no Django: the gunicorn master loads it to serve the scrape.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.exposition import start_http_server
from prometheus_client.registry import REGISTRY, Collector

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # A command run where the variable is set (a shell in the web container) must
    # not fail on a directory the server has not created yet.
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
QUERY_COUNTS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89)
TASK_SECONDS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 90.0)

REQUESTS = Counter(
    "http_requests",
    "Requests answered, by route, method and status.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds", "Time to answer, by route.", ["route"], buckets=SECONDS
)
REQUEST_QUERIES = Histogram(
    "http_request_queries",
    "Database queries per request, by route.",
    ["route"],
    buckets=QUERY_COUNTS,
)
OVER_BUDGET = Counter(
    "http_request_over_query_budget",
    "Requests that ran more queries than their route's budget.",
    ["route"],
)
CACHE_LOOKUPS = Counter(
    "cache_lookups",
    "get_or_compute lookups, by namespace and hit or miss.",
    ["namespace", "result"],
)
# A circuit breaker's state as a number: the highest across processes is the worst.
CIRCUIT_STATES = {"closed": 0, "half_open": 1, "open": 2}
CACHE_CIRCUIT_STATE = Gauge(
    "cache_circuit_state",
    "The cache's circuit breaker, the worst of the live processes: 0 closed, "
    "1 half-open (one call probes Redis), 2 open (Redis is not called).",
    ["server"],
    multiprocess_mode="livemax",
)
CACHE_CIRCUIT_OPENS = Counter(
    "cache_circuit_opens",
    "Times a process's cache circuit breaker opened (a timeout, a connection error, a failed probe).",
    ["server"],
)
HTTP_CIRCUIT_STATE = Gauge(
    "http_circuit_state",
    "Each outbound host's circuit breaker, the worst of the live processes: 0 closed, "
    "1 half-open, 2 open (calls fail at once).",
    ["host"],
    multiprocess_mode="livemax",
)
HTTP_CIRCUIT_OPENS = Counter(
    "http_circuit_opens",
    "Times a process's circuit breaker of an outbound host opened.",
    ["host"],
)
POOL_CONNECTIONS = Gauge(
    "db_pool_connections",
    "The psycopg pool of each process, summed: connections open and idle, and waiting requests.",
    ["alias", "state"],
    multiprocess_mode="livesum",
)
TASKS = Counter("celery_tasks", "Tasks run, by name and outcome.", ["task", "outcome"])
TASK_SECONDS_HISTOGRAM = Histogram(
    "celery_task_duration_seconds", "Time a task ran, by name.", ["task"], buckets=TASK_SECONDS
)
DEAD_LETTERS = Counter(
    "tasks_dead_lettered",
    "Tasks that failed for good, by name; stored: 'table', or 'log' when the database was down.",
    ["task", "stored"],
)


# The series of each label set, looked up once (``labels()`` takes a lock and
# builds its key on every call). Bounded: past it, series are looked up each time.
MAX_REMEMBERED_SERIES = 2048
_request_series: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}
_cache_series: dict[tuple[str, bool], Any] = {}
_alias_series: dict[tuple[str, str], Any] = {}


def request_observed(
    *, route: str, method: str, status: int, seconds: float, queries: int, over_budget: bool
) -> None:
    series = _request_series.get((route, method, status))
    if series is None:
        series = (
            REQUESTS.labels(route, method, str(status)),
            REQUEST_SECONDS.labels(route),
            REQUEST_QUERIES.labels(route),
        )
        if len(_request_series) < MAX_REMEMBERED_SERIES:
            _request_series[route, method, status] = series
    count, duration, query_count = series
    count.inc()
    duration.observe(seconds)
    query_count.observe(queries)
    if over_budget:
        OVER_BUDGET.labels(route).inc()


def cache_looked_up(namespace: str, *, hit: bool) -> None:
    # "shop.product:42" counts as "shop.product": one series per kind of entry.
    kind = namespace.partition(":")[0]
    series = _cache_series.get((kind, hit))
    if series is None:
        series = CACHE_LOOKUPS.labels(kind, "hit" if hit else "miss")
        if len(_cache_series) < MAX_REMEMBERED_SERIES:
            _cache_series[kind, hit] = series
    series.inc()


def circuit_changed(kind: str, target: str, state: str) -> None:
    """A breaker of core/breakers.py changed state ("cache": a Redis server, "http": a host)."""
    gauge, opens = (
        (CACHE_CIRCUIT_STATE, CACHE_CIRCUIT_OPENS)
        if kind == "cache"
        else (HTTP_CIRCUIT_STATE, HTTP_CIRCUIT_OPENS)
    )
    gauge.labels(target).set(CIRCUIT_STATES[state])
    if state == "open":
        opens.labels(target).inc()


def pool_observed(alias: str, stats: Mapping[str, int]) -> None:
    """psycopg_pool's get_stats() of one process's pool."""
    POOL_CONNECTIONS.labels(alias, "open").set(stats.get("pool_size", 0))
    POOL_CONNECTIONS.labels(alias, "idle").set(stats.get("pool_available", 0))
    POOL_CONNECTIONS.labels(alias, "waiting").set(stats.get("requests_waiting", 0))


def task_observed(*, task: str, outcome: str, seconds: float) -> None:
    TASKS.labels(task, outcome).inc()
    TASK_SECONDS_HISTOGRAM.labels(task).observe(seconds)


def task_dead_lettered(*, task: str, stored: bool) -> None:
    DEAD_LETTERS.labels(task, "table" if stored else "log").inc()


def multiprocess_mode() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def multiprocess_reset() -> None:
    """At a server's or worker's start: values an earlier run left would add to this one's.

    Removes every process's files but this process's own.
    """
    if multiprocess_mode():
        for leftover in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
            if not leftover.stem.endswith(f"_{os.getpid()}"):
                leftover.unlink(missing_ok=True)


def process_gone(pid: int) -> None:
    """A gone worker's live gauges (pool connections in use) leave the sum."""
    if multiprocess_mode():
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def scrape_registry(extra: Iterable[Collector] = ()) -> CollectorRegistry:
    """What a scrape shows: every process's files in multiprocess mode, else this process."""
    registry = CollectorRegistry()
    if multiprocess_mode():
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    for collector in extra:
        registry.register(collector)
    return registry


class _ThisProcess(Collector):
    """The default registry's metrics, in a registry extra collectors can join."""

    def collect(self) -> Iterable[Any]:
        return REGISTRY.collect()


def metrics_serve(bind: str, extra: Iterable[Collector] = ()) -> Any:
    """Serve the scrape on ``bind`` (HOST:PORT) from a thread; returns the server."""
    host, _, port = bind.rpartition(":")
    server, _thread = start_http_server(int(port), addr=host, registry=scrape_registry(extra))
    return server


# Read replicas (core/database/replica_health.py): where reads went and why.
DB_QUERIES = Counter(
    "db_queries", "Database queries, by route and database alias.", ["route", "alias"]
)
REPLICA_LAG = Gauge(
    "db_replica_lag_seconds",
    "How far each replica's replay is behind, as last measured (the worst process's view).",
    ["alias"],
    multiprocess_mode="livemax",
)
READS_ON_PRIMARY = Counter(
    "db_reads_on_primary",
    "Reads that could have gone to a replica but went to the primary, by reason: "
    "no_replica_usable (all lagging, down or promoted), behind_client_write (pinned).",
    ["reason"],
)


def queries_by_alias_observed(route: str, queries: Mapping[str, int]) -> None:
    for alias, count in queries.items():
        series = _alias_series.get((route, alias))
        if series is None:
            series = DB_QUERIES.labels(route, alias)
            if len(_alias_series) < MAX_REMEMBERED_SERIES:
                _alias_series[route, alias] = series
        series.inc(count)


def replica_lag_observed(alias: str, seconds: float) -> None:
    REPLICA_LAG.labels(alias).set(seconds)


def read_on_primary(reason: str) -> None:
    READS_ON_PRIMARY.labels(reason).inc()
