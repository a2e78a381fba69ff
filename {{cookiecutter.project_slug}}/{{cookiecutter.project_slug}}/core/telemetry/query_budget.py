"""How many queries each route may run: declared next to the view, enforced per request.

Why per route: a list page built with select_related and prefetch_related runs
a handful of queries whatever its size; the day someone adds a field read row
by row, the count grows with the data. The budget catches that where it is
cheap to fix. Over budget, development and tests raise at the query that went
over, with every statement so far (QUERY_BUDGET_RAISE); production never fails
the request: it logs a warning naming the route and counts it in the metrics
(core/telemetry/middleware.py).

    @router.get("/products")
    @query_budget(3)
    def product_list(request): ...

The budget counts every query of the request, authentication's included: an
API key costs one read, and at most once an hour per key an UPDATE of its
last_used_at; budget for that worst run, not for the count one run shows.

A view without a decorator gets settings.QUERY_BUDGET; tests/core/telemetry/test_query_budget.py
fails for any project route left without one of its own.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.urls import URLPattern, URLResolver

from {{ cookiecutter.project_slug }}.core.telemetry import measurement

View = TypeVar("View", bound=Callable[..., Any])


class QueryBudgetExceeded(Exception):  # noqa: N818 (reads as what happened)
    """Raised in development and tests by the query that goes over the route's budget."""

    def __init__(self, budget: int, statements: list[str]) -> None:
        listing = "\n".join(f"  {number}. {sql}" for number, sql in enumerate(statements, 1))
        super().__init__(
            f"This request ran more than its budget of {budget} queries: look for a "
            f"relation read row by row (select_related/prefetch_related), or raise the "
            f"budget with @query_budget if the work needs it. The budget counts every "
            f"query of the request, authentication's included (an API key: one read, "
            f"and at most hourly an update of its last_used_at), so budget for the worst "
            f"run, not the count one run shows. The queries so far:\n{listing}"
        )


def query_budget(queries: int) -> Callable[[View], View]:
    """Declare that the decorated view (or API operation) runs at most ``queries`` queries.

    It only marks the function (no wrapper, so django-ninja still reads its
    signature); the middleware applies the budget once the URL is resolved.
    """

    def decorate(view: View) -> View:
        view.query_budget = queries  # type: ignore[attr-defined]
        return view

    return decorate


def budget_of(view: Callable[..., Any]) -> int | None:
    """The budget declared on ``view``, or None."""
    declared = getattr(view, "query_budget", None)
    return declared if isinstance(declared, int) else None


def budget_for(view: Callable[..., Any], method: str) -> int | None:
    """The budget of what answers ``method`` on ``view``: for django-ninja, its operation."""
    return _budgets_by_method(view).get(method, budget_of(view))


@functools.lru_cache(maxsize=1024)
def _budgets_by_method(view: Callable[..., Any]) -> dict[str, int | None]:
    """Per HTTP method, the budget of each django-ninja operation behind ``view`` (once per view)."""
    return {
        method: budget_of(operation.view_func)
        for operation in _operations(view)
        for method in operation.methods
    }


def _operations(view: Callable[..., Any]) -> list[Any]:
    """The operations of a django-ninja path view, [] for any other view.

    django-ninja serves each path through one view for all its methods: a
    method of its PathView (ninja < 1.5) or a function closing over it.
    """
    path_view = getattr(view, "__self__", None)
    if path_view is None and getattr(view, "__closure__", None):
        path_view = inspect.getclosurevars(view).nonlocals.get("self")
    return list(getattr(path_view, "operations", None) or [])


def apply_budget(current: measurement.Measurement, budget: int) -> None:
    """Give the request its route's budget (queries so far count against it)."""
    current.budget = budget
    if current.raise_over_budget and current.over_budget:
        raise QueryBudgetExceeded(budget, current.statements)


def enforce_budget(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """A database execute wrapper: in raise mode, the query past the budget raises.

    It raises before running the statement, so the traceback points at the
    code that asked for one query too many.
    """
    current = measurement.current()
    if (
        current is not None
        and current.raise_over_budget
        and current.budget is not None
        and current.queries >= current.budget
    ):
        raise QueryBudgetExceeded(current.budget, [*current.statements, sql])
    return execute(sql, params, many, context)


@receiver(connection_created)
def _install_enforcer(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if enforce_budget not in connection.execute_wrappers:
        connection.execute_wrappers.append(enforce_budget)


def route_views(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, str, Callable[..., Any]]]:
    """(route, HTTP methods, view function) of every route under ``patterns``, as Django serves it.

    A django-ninja path's operations are listed one by one, each with its own
    function and budget. django-ninja adds one URL pattern per operation of a
    path, each serving the path's every operation; Django answers a route with
    the first pattern that matches it, so a route is listed once, from that
    pattern, as later patterns of the same route are never reached.
    """
    yield from _route_views(patterns, prefix, seen=set())


def _route_views(
    patterns: list[URLPattern | URLResolver], prefix: str, seen: set[str]
) -> Iterator[tuple[str, str, Callable[..., Any]]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _route_views(pattern.url_patterns, route, seen)
            continue
        if route in seen:
            continue
        seen.add(route)
        operations = _operations(pattern.callback)
        if not operations:
            yield route, "*", pattern.callback
        for operation in operations:
            yield route, ",".join(operation.methods), operation.view_func
