"""Outbound HTTP: the one way this service calls other services.

Why: requests has no default timeout, so a single upstream that accepts a
connection and never answers holds the calling worker forever. Every session
made here gets, from config/settings/http.py:

- a default (connect, read) timeout on each request that did not pass one.
  The read timeout bounds the wait for each chunk, not the whole response;
- retries with exponential back-off (urllib3 ``Retry``) on connect errors and
  502/503/504, for idempotent methods only, honouring ``Retry-After`` up to a
  cap. Read timeouts are not retried: an upstream too slow once is likely slow
  again, and each retry would add a whole read timeout to the caller's wait;
- a circuit breaker per host (breaker.py): after a few timeouts, connection
  errors or 5xx answers in a row, calls to that host fail at once with a
  ``requests.ConnectionError`` for a cool-down, then one call probes it;
- a connection pool sized for the threads that share the session;
- a User-Agent naming this service.

Build one session per client and reuse it (connections are kept alive); call
``http_session()`` rather than ``requests.get``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from {{ cookiecutter.project_slug }}.core.http.breaker import (
    FAILED_STATUS,
    FAILURES,
    CircuitPolicy,
    ServerError,
    host_breaker,
)

Timeout = tuple[float, float]


class TimeoutHTTPAdapter(HTTPAdapter):
    """An adapter that fills in a default timeout, each host behind its circuit breaker."""

    def __init__(self, *, timeout: Timeout, circuit: CircuitPolicy, **kwargs: Any) -> None:
        self.timeout = timeout
        self.circuit = circuit
        super().__init__(**kwargs)

    def send(  # noqa: PLR0917 (HTTPAdapter.send's signature)
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        breaker = host_breaker(str(request.url), self.circuit)
        probe = breaker.admit()  # HttpCircuitOpenError while the host rests
        try:
            response = super().send(
                request,
                stream=stream,
                timeout=self.timeout if timeout is None else timeout,
                verify=verify,
                cert=cert,
                proxies=proxies,
            )
        except FAILURES as error:
            breaker.failed(error, probe)
            raise
        except BaseException:
            breaker.succeeded(probe)  # not the host's doing (a bad URL, say)
            raise
        if response.status_code >= FAILED_STATUS:
            breaker.failed(ServerError(f"HTTP {response.status_code}"), probe)
        else:
            breaker.succeeded(probe)
        return response


def retry_policy(retries: int) -> Retry:
    """urllib3 Retry for idempotent requests; the counts and waits come from settings."""
    return Retry(
        total=retries,
        connect=retries,
        # False: a read timeout is raised as itself (requests.ReadTimeout), never retried.
        read=False,
        status=retries,
        other=0,
        redirect=False,
        allowed_methods=Retry.DEFAULT_ALLOWED_METHODS,
        status_forcelist=settings.HTTP_RETRY_STATUSES,
        backoff_factor=settings.HTTP_RETRY_BACKOFF_FACTOR,
        backoff_max=settings.HTTP_RETRY_BACKOFF_MAX,
        respect_retry_after_header=True,
        retry_after_max=settings.HTTP_RETRY_AFTER_MAX,
        # After the last retry, hand back the 5xx response so the caller sees the status.
        raise_on_status=False,
    )


def http_session(
    *,
    timeout: Timeout | None = None,
    retries: int | None = None,
    pool_maxsize: int | None = None,
) -> requests.Session:
    """A requests.Session with this service's timeouts, retries, pool size and User-Agent.

    Arguments override the settings for one client (a stricter timeout for a
    call made during a request, say); leave them out to get the defaults.
    """
    adapter = TimeoutHTTPAdapter(
        timeout=settings.HTTP_TIMEOUT if timeout is None else timeout,
        circuit=CircuitPolicy(settings.HTTP_CIRCUIT_FAILURES, settings.HTTP_CIRCUIT_SECONDS),
        max_retries=retry_policy(settings.HTTP_RETRIES if retries is None else retries),
        pool_maxsize=settings.HTTP_POOL_MAXSIZE if pool_maxsize is None else pool_maxsize,
    )
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = settings.HTTP_USER_AGENT
    return session
