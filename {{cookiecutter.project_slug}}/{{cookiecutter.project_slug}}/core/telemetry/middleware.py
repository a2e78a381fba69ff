"""Every request measured and told: one log line, its metrics, its query budget, its id.

Why one middleware: the log line, the Prometheus series, the budget and the
``Server-Timing`` header all read the same measurement (measurement.py),
taken once (measurement.py). Per request:

- the request id (request_id.py), echoed in ``X-Request-ID``;
- one log line (logger ``<project>.core.telemetry.middleware``, JSON in production): route
  pattern, method, status, duration, database time, query count, cache hits and
  misses. ``manage.py route_report`` ranks the routes from these lines;
- the metrics of metrics.py, and in django_pool mode the pool's use;
- the route's query budget (query_budget.py): over it, a warning and a
  metric in production; an exception in development and tests;
- where SERVER_TIMING is on (development), ``Server-Timing`` with the total,
  database time and query count, added to the debug toolbar's own.

Sync and async alike (core/middleware.py): an async view is never pushed
through a thread for it.

It runs on every request, so what can be decided once is decided at start-up
(whether any database has a pool to report), and each request pays only for
its own measurements: no header map built to read one header, no context
manager generator, the metric series looked up once per route
(the middleware benchmark measures it, where the benchmarks are included).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextvars import Token
from types import TracebackType
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponseBase

from {{ cookiecutter.project_slug }}.core.middleware import GetResponse, Middleware
from {{ cookiecutter.project_slug }}.core.telemetry import measurement, metrics, request_id
from {{ cookiecutter.project_slug }}.core.telemetry.measurement import Measurement
from {{ cookiecutter.project_slug }}.core.telemetry.query_budget import (
    apply_budget,
    budget_for,
)

logger = logging.getLogger(__name__)


def route_of(request: HttpRequest) -> str:
    """The URL pattern that answered (bounded, unlike the path), or what stood in for one."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return str(match.route)
    if request.path.startswith(settings.STATIC_URL):
        return "<static>"
    return "<unmatched>"


def pool_registries() -> list[tuple[str, dict[str, Any]]]:
    """Where the psycopg pool of each database configured with one will be (django_pool mode).

    Read once at start-up: ``[]`` where no database asks for a pool, so the
    other modes pay nothing per request. The backend's registry is read, not
    ``connection.pool``, which would open a pool (and connect) where none is
    open yet.
    """
    registries = []
    for alias in connections:
        if connections.settings[alias].get("OPTIONS", {}).get("pool"):
            registry = getattr(type(connections[alias]), "_connection_pools", None)
            if registry is not None:
                registries.append((alias, registry))
    return registries


class _Request:
    """What ``around`` knows of a request that ``finish`` tells; entered around the chain.

    The request id bound and the measurement started on entry, both undone on exit.
    """

    __slots__ = ("_id_token", "_measure_token", "measured", "request_id", "started")

    def __init__(self, rid: str) -> None:
        self.request_id = rid
        self.measured = Measurement(
            budget=settings.QUERY_BUDGET, raise_over_budget=settings.QUERY_BUDGET_RAISE
        )
        self._id_token: Token[str] | None = None
        self._measure_token: Token[Measurement | None] | None = None
        self.started = 0.0

    def __enter__(self) -> _Request:
        self._id_token = request_id.bind(self.request_id)
        self._measure_token = measurement.begin(self.measured)
        self.started = time.perf_counter()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._measure_token is not None:
            measurement.stop(self._measure_token)
        if self._id_token is not None:
            request_id.unbind(self._id_token)


class RequestTelemetryMiddleware(Middleware):
    def __init__(self, get_response: GetResponse) -> None:
        super().__init__(get_response)
        # Django calls process_view in the chain's mode: no thread hop for it either.
        self.process_view: Callable[[HttpRequest, Callable[..., Any], Any, Any], Any] = (
            self._aprocess_view if iscoroutinefunction(get_response) else self._process_view
        )
        self.pools = pool_registries()

    def _process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        """The URL is resolved: the request now has its route's budget, if it declares one."""
        current = measurement.current()
        budget = budget_for(view, request.method or "")
        if current is not None and budget is not None:
            apply_budget(current, budget)

    async def _aprocess_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        self._process_view(request, view, args, kwargs)

    def around(self, request: HttpRequest) -> _Request:
        return _Request(request_id.request_id_for(request.META.get(request_id.REQUEST_ID_META)))

    def finish(
        self, request: HttpRequest, response: HttpResponseBase, state: _Request
    ) -> HttpResponseBase:
        seconds = time.perf_counter() - state.started
        route = route_of(request)
        response[request_id.REQUEST_ID_HEADER] = state.request_id
        log_request(request, response, route, seconds, state)
        metrics.request_observed(
            route=route,
            method=request.method or "-",
            status=response.status_code,
            seconds=seconds,
            queries=state.measured.queries,
            over_budget=state.measured.over_budget,
        )
        metrics.queries_by_alias_observed(route, state.measured.by_alias)
        for alias, registry in self.pools:
            pool = registry.get(alias)
            if pool is not None:
                metrics.pool_observed(alias, pool.get_stats())
        if settings.SERVER_TIMING:
            add_server_timing(response, seconds, state.measured)
        return response


def log_request(
    request: HttpRequest, response: HttpResponseBase, route: str, seconds: float, state: _Request
) -> None:
    """The request's one line, and a warning when it went over its query budget."""
    measured = state.measured
    method = request.method or "-"
    logger.info(
        "%s %s %s in %.1f ms: %d queries (%.1f ms), cache %d hit / %d miss",
        method,
        request.path,
        response.status_code,
        seconds * 1000,
        measured.queries,
        measured.db_seconds * 1000,
        measured.cache_hits,
        measured.cache_misses,
        extra={
            "event": "request",
            "request_id": state.request_id,
            "route": route,
            "method": method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 2),
            "db_ms": round(measured.db_seconds * 1000, 2),
            "queries": measured.queries,
            "queries_by_alias": measured.by_alias,
            "cache_hits": measured.cache_hits,
            "cache_misses": measured.cache_misses,
        },
    )
    if measured.over_budget:
        logger.warning(
            "%s %s ran %d queries, over its budget of %d: look for an N+1",
            method,
            route,
            measured.queries,
            measured.budget,
            extra={"event": "over_query_budget", "route": route, "queries": measured.queries},
        )


def add_server_timing(response: HttpResponseBase, seconds: float, measured: Measurement) -> None:
    """Total, database time and query count, beside the debug toolbar's own entries."""
    timing = (
        f"total;dur={seconds * 1000:.1f}, "
        f'db;dur={measured.db_seconds * 1000:.1f};desc="{measured.queries} queries"'
    )
    existing = response.get("Server-Timing")
    response["Server-Timing"] = f"{existing}, {timing}" if existing else timing
