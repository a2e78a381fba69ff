"""A circuit breaker per outbound host: a peer that keeps timing out or failing is left alone a while.

Why: a host that stopped answering costs each call its whole read timeout
(10 s by default) and, through the retries, more; a caller someone waits on
holds a worker thread all that time. After ``HTTP_CIRCUIT_FAILURES`` calls in
a row to one host (scheme, host and port) ended in a timeout, a connection
error or a 5xx answer (after the session's own retries), every call to that
host fails at once for ``HTTP_CIRCUIT_SECONDS`` with ``HttpCircuitOpenError``,
a ``requests.ConnectionError``: what a caller already handles for an
unreachable host (the shop's client raises ShippingRatesError, the delivery
endpoint answers ``available: false``). Then one call probes the host; an
answer below 500 closes the breaker (core/breakers.py).

One breaker per host and process, shared by every session of the process
(sessions.py): the process learns of an outage after a few calls, and pays
at most one probe per cool-down afterwards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from urllib3.util import parse_url

from {{ cookiecutter.project_slug }}.core.breakers import (
    CircuitBreaker,
    Reporter,
    breaker_for,
)

logger = logging.getLogger(__name__)

# What counts against a host: it did not answer, or answered that it failed.
FAILURES = (requests.Timeout, requests.ConnectionError)
FAILED_STATUS = 500


class HttpCircuitOpenError(requests.ConnectionError):
    """The host is not called: it kept failing within the cool-down."""


class ServerError(Exception):
    """A 5xx answer, counted as a failure (the response itself goes to the caller)."""


@dataclass(frozen=True)
class CircuitPolicy:
    failures: int  # in a row, that open the breaker
    seconds: float  # the cool-down


report = Reporter(logger, peer="{target}", while_open="calls fail at once")


def host_of(url: str) -> str:
    """``scheme://host:port`` of a URL, without credentials, path or query."""
    parsed = parse_url(url)
    scheme = parsed.scheme or "http"
    port = parsed.port or (443 if scheme == "https" else 80)
    return f"{scheme}://{parsed.host}:{port}"


def host_breaker(url: str, policy: CircuitPolicy) -> CircuitBreaker:
    """This process's breaker of the host ``url`` names (made with ``policy`` the first time)."""
    host = host_of(url)
    return breaker_for(
        "http",
        host,
        lambda: CircuitBreaker(
            "http",
            host,
            failures=policy.failures,
            seconds=policy.seconds,
            error=HttpCircuitOpenError,
            report=report,
        ),
    )
