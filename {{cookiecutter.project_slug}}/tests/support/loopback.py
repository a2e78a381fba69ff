"""Real servers on 127.0.0.1 for tests: bounded in time, always shut down.

Timeouts and retries are proven against real sockets, not mocks: a listener
that accepts and never answers, a server whose answers a test scripts, and a
port where nothing listens.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Seen:
    """A request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering


@dataclass
class Server:
    url: str
    seen: list[Seen]


@contextmanager
def http_server(respond: Callable[[Seen], Reply]) -> Iterator[Server]:
    """Serve `respond(request)` on a free loopback port until the block ends."""
    seen: list[Seen] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            request = Seen(self.command, self.path, dict(self.headers.items()))
            with lock:
                seen.append(request)
            reply = respond(request)
            time.sleep(reply.delay)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = do_PUT = do_DELETE = answer  # noqa: N815 (http.server's names)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet: the test asserts on `seen`, not on stderr."""

    server = ThreadingHTTPServer((HOST, 0), Handler)
    # Join the request threads on close, so no thread outlives the test.
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Server(url=http_url(server.server_address[1]), seen=seen)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def silent_listener(*, lifetime: float = 5.0) -> Iterator[int]:
    """A loopback port whose connections are accepted (by the kernel) and never answered.

    Yields the port. What a hung peer looks like to a client: the TCP connect
    succeeds, then nothing. After `lifetime` seconds the listener closes and its
    connections are reset, so a client without a working timeout fails the test
    instead of hanging it.
    """
    listener = socket.create_server((HOST, 0), backlog=16)
    closer = threading.Timer(lifetime, listener.close)
    closer.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        closer.cancel()
        closer.join(timeout=5)
        listener.close()


def http_url(port: int) -> str:
    """The base URL of a loopback port, e.g. ``http_url(port) + "/rates"``."""
    return f"http://{HOST}:{port}"


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])
