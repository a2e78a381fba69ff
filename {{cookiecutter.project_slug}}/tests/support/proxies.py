"""A TCP proxy on 127.0.0.1 in front of a real service, to take the service away on cue.

Why a proxy: a server process under test keeps its own connections to Redis
or PostgreSQL; to see what it does when one goes away (or hangs), the test
must cut the wire, not stop the shared service every other test uses.
Modes: ``up`` relays to the service; ``down`` resets every connection at once
(a stopped server); ``silent`` accepts and never answers (a hung one).
Changing the mode drops the connections already relayed. Bounded: threads are
daemons joined at the end, sockets time out, and the proxy closes with the block.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.support.loopback import HOST

MODES = ("up", "down", "silent")


@dataclass
class Proxy:
    port: int
    target: int
    mode: str = "up"
    _connections: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, mode: str) -> None:
        """Switch to ``mode``; the connections relayed so far are cut."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        with self._lock:
            self.mode = mode
            connections, self._connections = self._connections, []
        for connection in connections:
            _close(connection)

    def keep(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.append(connection)


def _close(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _close(sink)


def _serve(
    listener: socket.socket, proxy: Proxy, threads: list[threading.Thread], stop: threading.Event
) -> None:
    while not stop.is_set():
        try:
            client, _ = listener.accept()
        except TimeoutError:
            continue
        except OSError:
            return
        if proxy.mode == "down":
            client.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            client.close()  # a reset, as from a server that is gone
            continue
        client.settimeout(None)
        proxy.keep(client)
        if proxy.mode == "silent":
            continue  # held open, never answered, until the mode changes
        try:
            upstream = socket.create_connection((HOST, proxy.target), timeout=5)
        except OSError:
            _close(client)
            continue
        upstream.settimeout(None)
        proxy.keep(upstream)
        for source, sink in ((client, upstream), (upstream, client)):
            thread = threading.Thread(target=_pipe, args=(source, sink), daemon=True)
            thread.start()
            threads.append(thread)


@contextmanager
def tcp_proxy(target: int) -> Iterator[Proxy]:
    """A proxy to 127.0.0.1:``target`` on a free loopback port, up at first."""
    listener = socket.create_server((HOST, 0), backlog=64)
    listener.settimeout(0.1)  # the accept loop looks at `stop` this often
    proxy = Proxy(port=int(listener.getsockname()[1]), target=target)
    threads: list[threading.Thread] = []
    stop = threading.Event()
    acceptor = threading.Thread(target=_serve, args=(listener, proxy, threads, stop), daemon=True)
    acceptor.start()
    try:
        yield proxy
    finally:
        stop.set()
        acceptor.join(timeout=5)
        listener.close()
        proxy.set("down")
        for thread in threads:
            thread.join(timeout=5)
