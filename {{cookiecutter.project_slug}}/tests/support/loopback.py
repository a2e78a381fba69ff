"""Real servers on 127.0.0.1 for tests: bounded in time, always shut down.

Timeouts and retries are proven against real sockets, not mocks: a listener
that accepts and never answers, a server whose answers a test scripts, and a
port where nothing listens.
"""

from __future__ import annotations

import selectors
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

    with serving(Handler) as port:
        yield Server(url=http_url(port), seen=seen)


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """``handler`` served on a free loopback port (yielded) until the block ends, then stopped."""
    server = ThreadingHTTPServer((HOST, 0), handler)
    # Join the request threads on close, so no thread outlives the test.
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_address[1]
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


@dataclass
class Hush:
    """A silent peer that counts what reaches it: connections accepted, bytes received."""

    port: int
    connections: int = 0
    received: int = 0

    def seen(self) -> tuple[int, int]:
        return self.connections, self.received


@contextmanager
def silent_peer(*, lifetime: float = 10.0) -> Iterator[Hush]:
    """A loopback port that accepts every connection, reads what is sent and never answers.

    Unlike ``silent_listener``, it counts (``Hush.seen()``): a test can prove that a
    client left it alone. Closed, with every connection, after ``lifetime`` seconds
    or when the block ends.
    """
    listener = socket.create_server((HOST, 0), backlog=64)
    listener.setblocking(False)
    hush = Hush(port=int(listener.getsockname()[1]))
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            deadline = time.monotonic() + lifetime
            while not stop.is_set() and time.monotonic() < deadline:
                for key, _ in selector.select(timeout=0.05):
                    if key.fileobj is listener:
                        connection, _ = listener.accept()
                        connection.setblocking(False)
                        held.append(connection)
                        hush.connections += 1
                        selector.register(connection, selectors.EVENT_READ)
                        continue
                    peer: socket.socket = key.fileobj  # type: ignore[assignment]
                    try:
                        data = peer.recv(65536)
                    except OSError:
                        data = b""
                    hush.received += len(data)
                    if not data:  # the client gave up: let the connection go
                        selector.unregister(peer)
                        held.remove(peer)
                        peer.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield hush
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


def http_url(port: int) -> str:
    """The base URL of a loopback port, e.g. ``http_url(port) + "/rates"``."""
    return f"http://{HOST}:{port}"


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])
