"""Shared benchmark tools: a run of its own, a real server on loopback, bounded concurrent load.

Every run is bounded twice, by a request count and by seconds, and only ever
targets 127.0.0.1.
"""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import redis
from kombu import Connection, Exchange, Queue

from config.env import BASE_DIR
from config.settings.development import DEVELOPMENT_DEFAULTS

from tests.support.environments import production_environment
from tests.support.loopback import HOST, closed_port
from tests.support.processes import python_child

# The database, cache prefix and queue of the service (or of a CI job that set them):
# a run's own are named after them, so whoever owns the originals recognises the copies.
DEFAULT_QUEUE = "{{ cookiecutter.project_slug }}"
DEFAULT_CACHE_PREFIX = "{{ cookiecutter.project_slug }}"
BENCH_REDIS_URL = "redis://127.0.0.1:6379/3"
# PostgreSQL's longest identifier.
MAX_NAME = 63
DROP_DATABASE = """
from django.db import connection

name = connection.settings_dict["NAME"]
with connection._nodb_cursor() as cursor:  # the maintenance database: the target goes away
    # FORCE: sessions a server or PgBouncer still holds end with it.
    cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")
print(name)
"""


def run_names(run: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The database URL, cache prefix and task queue of run ``run``, after those ``environ`` names."""
    base_url = environ.get("BENCH_DATABASE_URL") or environ.get(
        "DATABASE_URL", DEVELOPMENT_DEFAULTS["DATABASE_URL"]
    )
    parts = urlsplit(base_url)
    suffix = f"_{run}"
    database = parts.path.lstrip("/")[: MAX_NAME - len(suffix)] + suffix
    return {
        "DATABASE_URL": parts._replace(path=f"/{database}").geturl(),
        "CACHE_KEY_PREFIX": f"{environ.get('CACHE_KEY_PREFIX', DEFAULT_CACHE_PREFIX)}-{run}",
        "CELERY_TASK_DEFAULT_QUEUE": (
            f"{environ.get('CELERY_TASK_DEFAULT_QUEUE', DEFAULT_QUEUE)}-{run}"
        ),
    }


def benchmark_env(run: str, **overrides: str) -> dict[str, str]:
    """Production settings against the local services, with run ``run``'s database, prefix and queue."""
    return {
        **os.environ,
        **production_environment(
            DJANGO_ALLOWED_HOSTS=HOST,
            # Plain HTTP on loopback: no redirect to HTTPS.
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_LOG_LEVEL="WARNING",
            REDIS_URL=BENCH_REDIS_URL,
            DJANGO_SETTINGS_MODULE="benchmarks.site.settings",
            **run_names(run, os.environ),
        ),
        **overrides,
    }


@contextmanager
def benchmark_run(**overrides: str) -> Iterator[dict[str, str]]:
    """The environment of one benchmark run: a database, cache prefix and task queue of its own.

    Why its own: the orders a load test places and the tasks they enqueue must
    never reach the development database or the queue `make worker` reads, nor
    another run's. The database is created and migrated here; all three are
    removed when the block ends, whatever happened in it.
    """
    env = benchmark_env(f"bench_{secrets.token_hex(4)}", **overrides)
    try:
        prepare_database(env)
        yield env
    finally:
        run_remove(env)


def run_remove(env: Mapping[str, str]) -> None:
    """Drop the run's database, delete its cache keys, its queue and the queue's bindings."""
    shell(env, DROP_DATABASE)
    cache = redis.Redis.from_url(env["REDIS_URL"])
    try:
        keys = list(cache.scan_iter(match=f"{env['CACHE_KEY_PREFIX']}:*", count=1000))
        for start in range(0, len(keys), 1000):
            cache.delete(*keys[start : start + 1000])
    finally:
        cache.close()
    name = env["CELERY_TASK_DEFAULT_QUEUE"]
    with Connection(env["CELERY_BROKER_URL"], connect_timeout=5) as connection:
        # As Celery declares a default queue: an exchange and a routing key of the same name.
        # Declared first: a channel deletes only the bindings it knows about.
        queue = Queue(name, Exchange(name), routing_key=name).bind(connection.default_channel)
        queue.declare()
        queue.delete()
        queue.exchange.delete()


def manage(env: Mapping[str, str], *args: str) -> None:
    """Run a management command with the benchmark environment."""
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=dict(env), check=True, timeout=600
    )


def shell(env: Mapping[str, str], code: str) -> str:
    """Run Python code in a new process with the benchmark environment; its last line."""
    result = python_child(code, env=env, timeout=120)
    if result.returncode:
        raise RuntimeError(f"benchmark setup failed:\n{result.stderr}")
    return result.stdout.strip().splitlines()[-1]


def prepare_database(env: Mapping[str, str]) -> None:
    manage(env, "createdb_if_missing")
    manage(env, "db_apply_timeouts", "--verbosity", "0")
    manage(env, "migrate", "--verbosity", "0")


@contextmanager
def serve(
    env: Mapping[str, str],
    *,
    asgi: bool = False,
    workers: int = 2,
    startup_seconds: float = 30,
    shipped_config: bool = False,
) -> Iterator[str]:
    """Start gunicorn (WSGI) or uvicorn (ASGI) on a free loopback port; yield its base URL.

    ``shipped_config``: gunicorn with deploy/gunicorn_config.py (gthread, its
    threads, multiprocess metrics), the bind and worker count still given here.
    """
    port = closed_port()  # free now; the server binds it
    if asgi:
        command = [
            sys.executable, "-m", "uvicorn", "config.asgi:application",
            "--host", HOST, "--port", str(port), "--workers", str(workers),
            "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
    else:
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"{HOST}:{port}", "--workers", str(workers),
            "--log-level", "warning",
        ]  # fmt: skip
        if shipped_config:
            command[3:3] = ["-c", "deploy/gunicorn_config.py"]
    server = subprocess.Popen(command, cwd=BASE_DIR, env=dict(env))
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            try:
                socket.create_connection((HOST, port), timeout=0.5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {' '.join(command)}") from None
                time.sleep(0.2)
        yield f"http://{HOST}:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


@dataclass
class LoadResult:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def requests_per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """Latency in milliseconds at the given fraction (0.5 = median)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, int(fraction * len(ordered)))
        return ordered[index] * 1000

    def summary(self) -> str:
        median = statistics.median(self.latencies) * 1000 if self.latencies else float("nan")
        return (
            f"{self.requests_per_second:8.1f} req/s  p50 {median:7.2f} ms  "
            f"p95 {self.percentile(0.95):7.2f} ms  p99 {self.percentile(0.99):7.2f} ms  "
            f"errors {self.errors}"
        )


def drive(
    base_url: str,
    path: str,
    *,
    clients: int,
    seconds: float,
    max_requests: int,
    timeout: float = 10,
) -> LoadResult:
    """GET base_url+path from `clients` keep-alive connections until either bound is hit.

    ``timeout`` bounds each request (a deliberately slow baseline may need more).
    """
    host, port = base_url.removeprefix("http://").split(":")
    if host != HOST:
        raise ValueError("benchmarks only target 127.0.0.1")
    lock = threading.Lock()
    result = LoadResult(seconds=0.0)
    budget = [max_requests]
    started = time.monotonic()
    deadline = started + seconds

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            begin = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
            elapsed = time.perf_counter() - begin
            with lock:
                if ok:
                    result.latencies.append(elapsed)
                else:
                    result.errors += 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + timeout + 30)
    result.seconds = time.monotonic() - started
    return result
