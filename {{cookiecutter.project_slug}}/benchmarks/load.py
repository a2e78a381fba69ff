"""Shared benchmark tools: a real server on loopback, bounded concurrent load.

Every run is bounded twice, by a request count and by seconds, and only ever
targets 127.0.0.1.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from config.env import BASE_DIR
from config.settings.development import DEVELOPMENT_DEFAULTS

from tests.support.environments import production_environment
from tests.support.loopback import HOST, closed_port
from tests.support.processes import python_child


def benchmark_env(**overrides: str) -> dict[str, str]:
    """Production settings against the local services, in a database of their own."""
    return {
        **os.environ,
        **production_environment(
            DJANGO_ALLOWED_HOSTS=HOST,
            # Plain HTTP on loopback: no redirect to HTTPS.
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_LOG_LEVEL="WARNING",
            DATABASE_URL=os.environ.get(
                "BENCH_DATABASE_URL", DEVELOPMENT_DEFAULTS["DATABASE_URL"] + "_bench"
            ),
            REDIS_URL="redis://127.0.0.1:6379/3",
            CACHE_KEY_PREFIX="{{ cookiecutter.project_slug }}-bench",
            DJANGO_SETTINGS_MODULE="benchmarks.site.settings",
        ),
        **overrides,
    }


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
    env: Mapping[str, str], *, asgi: bool = False, workers: int = 2, startup_seconds: float = 30
) -> Iterator[str]:
    """Start gunicorn (WSGI) or uvicorn (ASGI) on a free loopback port; yield its base URL."""
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
