"""The production web server, started and stopped by the test or benchmark that needs it.

gunicorn with the shipped configuration (deploy/gunicorn_config.py), WSGI or
ASGI, on a free port of 127.0.0.1. Bounded: the start waits at most
``startup_seconds`` for the liveness probe; the stop sends SIGTERM (a graceful
shutdown, as an orchestrator does) and kills whatever is left after the
graceful timeout. Its output goes to a log file the caller can show on failure.
"""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from config.env import BASE_DIR

from tests.support.loopback import HOST, closed_port

GRACEFUL_SECONDS = 5


@dataclass
class Server:
    url: str
    port: int
    metrics_port: int
    process: subprocess.Popen[bytes]
    log: Path
    graceful_seconds: int = GRACEFUL_SECONDS

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> int:
        """SIGTERM, then wait for the graceful shutdown; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=self.graceful_seconds + 5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=5)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(
    server: Server,
    path: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 10,
) -> Answer:
    """One request, as a load balancer would send it: TLS ended before, said in X-Forwarded-Proto.

    ``headers`` adds to or replaces the defaults (Host 127.0.0.1, X-Forwarded-Proto https).
    """
    sent = {"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})}
    connection = http.client.HTTPConnection(HOST, server.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return Answer(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def scrape_metrics(server: Server) -> str:
    """The Prometheus page of the server's metrics port (WEB_METRICS_BIND)."""
    connection = http.client.HTTPConnection(HOST, server.metrics_port, timeout=10)
    try:
        connection.request("GET", "/metrics")
        response = connection.getresponse()
        body = response.read().decode()
        if response.status != 200:
            raise RuntimeError(f"the metrics port answered {response.status}: {body[:200]}")
        return body
    finally:
        connection.close()


def _alive(port: int) -> bool:
    connection = http.client.HTTPConnection(HOST, port, timeout=1)
    try:
        connection.request("GET", "/health/live")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def gunicorn_command(*, asgi: bool = False) -> list[str]:
    """The production server's command line, as the Dockerfile's CMD runs it (WSGI)."""
    worker_class = ["-k", "uvicorn_worker.UvicornWorker"] if asgi else []
    application = "config.asgi:application" if asgi else "config.wsgi:application"
    return ["gunicorn", "-c", "deploy/gunicorn_config.py", *worker_class, application]


@contextmanager
def production_server(
    env: Mapping[str, str],
    *,
    log: Path,
    asgi: bool = False,
    workers: int = 1,
    startup_seconds: float = 30,
) -> Iterator[Server]:
    """gunicorn with ``env`` (production settings, say) until the block ends.

    The graceful timeout is GRACEFUL_SECONDS unless ``env`` sets WEB_GRACEFUL_TIMEOUT.
    """
    port, metrics_port = closed_port(), closed_port()  # free now; gunicorn binds them
    command = [sys.executable, "-m", *gunicorn_command(asgi=asgi)]
    graceful_seconds = int(env.get("WEB_GRACEFUL_TIMEOUT", GRACEFUL_SECONDS))
    environment = {
        **env,
        "WEB_BIND": f"{HOST}:{port}",
        "WEB_CONCURRENCY": str(workers),
        "WEB_GRACEFUL_TIMEOUT": str(graceful_seconds),
        "WEB_METRICS_BIND": f"{HOST}:{metrics_port}",
        # The workers' metric files, this server's own (deploy/gunicorn_config.py).
        "PROMETHEUS_MULTIPROC_DIR": str(log.parent / "metrics"),
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=dict(environment), stdout=output, stderr=subprocess.STDOUT
        )
    server = Server(
        url=f"http://{HOST}:{port}",
        port=port,
        metrics_port=metrics_port,
        process=process,
        log=log,
        graceful_seconds=graceful_seconds,
    )
    try:
        deadline = time.monotonic() + startup_seconds
        while not _alive(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not start: {' '.join(command)}\n{server.tail()}"
                )
            time.sleep(0.1)
        yield server
    finally:
        server.stop()
