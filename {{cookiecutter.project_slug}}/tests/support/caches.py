"""The cache pointed elsewhere for one test: a silent or refusing port, a proxy, shorter waits."""

from typing import Any

from pytest_django import Settings

from tests.support.loopback import HOST


def cache_pointed_at(
    settings: Settings,
    port: int,
    *,
    socket_timeout: float | None = None,
    circuit_seconds: float | None = None,
) -> None:
    """CACHES["default"] on 127.0.0.1:``port``; the socket timeouts and breaker cool-down if given.

    Django makes new cache clients when CACHES changes, and the breaker of that
    address is this process's (core/cache/breaker.py).
    """
    default: dict[str, Any] = settings.CACHES["default"]
    options = dict(default["OPTIONS"])
    if socket_timeout is not None:
        options |= {"SOCKET_TIMEOUT": socket_timeout, "SOCKET_CONNECT_TIMEOUT": socket_timeout}
    if circuit_seconds is not None:
        options["REDIS_CLIENT_KWARGS"] = {"circuit_seconds": circuit_seconds}
    settings.CACHES = {
        "default": {**default, "LOCATION": f"redis://{HOST}:{port}/0", "OPTIONS": options}
    }
