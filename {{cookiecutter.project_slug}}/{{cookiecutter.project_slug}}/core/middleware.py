"""Request timing and a query budget, so chatty requests show up in production.

Where SERVER_TIMING is on (development; config/settings/observability.py),
every response carries a ``Server-Timing`` header (total time, SQL time and
the number of queries), visible in the browser's network panel. A request that
runs more than ``QUERY_BUDGET`` queries is logged as a warning with its path:
an N+1 the tests did not cover surfaces in the logs instead of only as a slow
graph.

Sync only on purpose: queries are counted on the request thread's connection.
Under ASGI Django runs it in a thread for each request (about a millisecond);
drop it from MIDDLEWARE for a service that is mostly async views.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger(__name__)


class QueryCounter:
    """A database execute wrapper that counts queries and their time."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


class RequestBudgetMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        counter = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        if settings.SERVER_TIMING:
            total_ms = (time.perf_counter() - started) * 1000
            response["Server-Timing"] = (
                f'total;dur={total_ms:.1f}, db;dur={counter.seconds * 1000:.1f};desc="{counter.count} queries"'
            )
        budget: int = settings.QUERY_BUDGET
        if counter.count > budget:
            logger.warning(
                "%s %s ran %d queries (budget %d): look for an N+1",
                request.method,
                request.path,
                counter.count,
                budget,
            )
        return response
