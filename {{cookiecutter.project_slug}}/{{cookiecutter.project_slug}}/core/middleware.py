"""Every request measured and told: one log line, its metrics, its query budget, its id.

Why one middleware: the log line, the Prometheus series, the budget and the
``Server-Timing`` header all read the same measurement (core/measurement.py),
taken once. Per request:

- the request id (core/request_id.py), echoed in ``X-Request-ID``;
- one log line (logger ``<project>.core.middleware``, JSON in production): route
  pattern, method, status, duration, database time, query count, cache hits and
  misses. ``manage.py route_report`` ranks the routes from these lines;
- the metrics of core/metrics.py, and in django_pool mode the pool's use;
- the route's query budget (core/query_budget.py): over it, a warning and a
  metric in production; an exception in development and tests;
- where SERVER_TIMING is on (development), ``Server-Timing`` with the total,
  database time and query count, added to the debug toolbar's own.

Sync and async: Django calls it in whichever mode the stack runs, so an async
view is never pushed through a thread for it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponseBase

from {{ cookiecutter.project_slug }}.core import measurement, metrics, request_id
from {{ cookiecutter.project_slug }}.core.measurement import Measurement, measuring
from {{ cookiecutter.project_slug }}.core.query_budget import apply_budget, budget_for

logger = logging.getLogger(__name__)


def route_of(request: HttpRequest) -> str:
    """The URL pattern that answered (bounded, unlike the path), or what stood in for one."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return str(match.route)
    if request.path.startswith(settings.STATIC_URL):
        return "<static>"
    return "<unmatched>"


def open_pools() -> dict[str, Any]:
    """The psycopg pools this process has opened, by alias (django_pool mode).

    Read from the backend's registry rather than through ``connection.pool``,
    which would open a pool (and connect) where none is open yet.
    """
    pools: dict[str, Any] = {}
    for alias in connections:
        opened = getattr(connections[alias], "_connection_pools", {})
        if alias in opened:
            pools[alias] = opened[alias]
    return pools


class RequestTelemetryMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase]
        | Callable[[HttpRequest], Awaitable[HttpResponseBase]],
    ) -> None:
        self.get_response = get_response
        self.process_view: Callable[[HttpRequest, Callable[..., Any], Any, Any], Any]
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)
            # Django calls process_view in the chain's mode: no thread hop for it either.
            self.process_view = self._aprocess_view
        else:
            self.process_view = self._process_view

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

    def __call__(self, request: HttpRequest) -> Any:
        if iscoroutinefunction(self):
            return self._acall(request)
        rid = request_id.request_id_for(request.headers.get(request_id.HEADER))
        token = request_id.bind(rid)
        started = time.perf_counter()
        try:
            with self._measuring() as measured:
                response: HttpResponseBase = self.get_response(request)  # type: ignore[assignment]
            return self._tell(request, response, rid, measured, started)
        finally:
            request_id.unbind(token)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        rid = request_id.request_id_for(request.headers.get(request_id.HEADER))
        token = request_id.bind(rid)
        started = time.perf_counter()
        try:
            with self._measuring() as measured:
                response = await self.get_response(request)  # type: ignore[misc]
            return self._tell(request, response, rid, measured, started)
        finally:
            request_id.unbind(token)

    @staticmethod
    def _measuring() -> Any:
        return measuring(
            budget=settings.QUERY_BUDGET, raise_over_budget=settings.QUERY_BUDGET_RAISE
        )

    @staticmethod
    def _tell(
        request: HttpRequest,
        response: HttpResponseBase,
        rid: str,
        measured: Measurement,
        started: float,
    ) -> HttpResponseBase:
        seconds = time.perf_counter() - started
        route = route_of(request)
        method = request.method or "-"
        response[request_id.HEADER] = rid
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
                "request_id": rid,
                "route": route,
                "method": method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 2),
                "db_ms": round(measured.db_seconds * 1000, 2),
                "queries": measured.queries,
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
        metrics.request_observed(
            route=route,
            method=method,
            status=response.status_code,
            seconds=seconds,
            queries=measured.queries,
            over_budget=measured.over_budget,
        )
        for alias, pool in open_pools().items():
            metrics.pool_observed(alias, pool.get_stats())
        if settings.SERVER_TIMING:
            timing = (
                f"total;dur={seconds * 1000:.1f}, "
                f'db;dur={measured.db_seconds * 1000:.1f};desc="{measured.queries} queries"'
            )
            existing = response.get("Server-Timing")
            response["Server-Timing"] = f"{existing}, {timing}" if existing else timing
        return response
