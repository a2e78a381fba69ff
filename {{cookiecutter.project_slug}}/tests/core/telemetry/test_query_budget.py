"""Every route of the project declares its query budget (core/telemetry/query_budget.py).

The URLconf is walked as Django resolves it; a route whose view or API
operation is the project's own code and carries no ``@query_budget`` fails
the test, named, with the file and line to add it at. Routes of Django's admin
and django-ninja's own pages run on the project default (QUERY_BUDGET), and
the admin lists have query-count tests of their own.

The same walk runs on the code a team writes next: a list beside a create on
one path (tests/support/list_and_create.py; django-ninja registers a URL
pattern per operation of a path), and an operation whose budget was forgotten.
"""

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path
from ninja import NinjaAPI, Router

from {{ cookiecutter.project_slug }}.core.telemetry.query_budget import (
    QueryBudgetExceeded,
    budget_of,
    route_views,
)

from config.env import BASE_DIR

from tests.support import list_and_create

PROJECT = "{{ cookiecutter.project_slug }}"
HERE = Path(__file__).resolve().relative_to(BASE_DIR)

# An operation someone forgot to give a budget.
forgotten = Router()


@forgotten.get("/refunds")
def refund_list(request: HttpRequest) -> list[int]:
    return []


forgotten_api = NinjaAPI(urls_namespace="budget_walk_forgotten")
forgotten_api.add_router("/", forgotten)


def project_routes(
    patterns: list[URLPattern | URLResolver] | None = None, package: str = PROJECT
) -> list[tuple[str, str, Callable[..., Any], int | None]]:
    """(route, methods, view, budget) of every route served by the code of ``package``."""
    walked = route_views(get_resolver().url_patterns if patterns is None else patterns)
    return [
        (route, methods, view, budget_of(view))
        for route, methods, view in walked
        if f"{view.__module__}.".startswith(f"{package}.")
    ]


def where(view: Callable[..., Any]) -> str:
    """``path:line`` of the view's first decorator, relative to the project."""
    source = Path(inspect.getsourcefile(view) or "?").resolve()
    if source.is_relative_to(BASE_DIR):
        source = source.relative_to(BASE_DIR)
    return f"{source}:{view.__code__.co_firstlineno}"


def routes_without_budget(routes: list[tuple[str, str, Callable[..., Any], int | None]]) -> str:
    """What to add and where, one line per route without a budget of its own."""
    return "".join(
        f"\n  {methods} {route}: add @query_budget(<queries>) under the route decorator of "
        f"{view.__qualname__} ({where(view)}); <queries> is what it runs at any size of "
        "data (tests/support/queries.py's assert_queries_flat returns it)."
        for route, methods, view, budget in routes
        if budget is None
    )


def test_every_project_route_declares_a_budget() -> None:
    routes = project_routes()
    assert any(route.startswith("api/v1/") for route, *_ in routes), "the walk found the API"
    missing = routes_without_budget(routes)
    assert missing == "", "Routes without a query budget:" + missing


def assert_each_operation_listed_once(routes: list[tuple[str, str, Any, int | None]]) -> None:
    api_routes = [(route, methods) for route, methods, *_ in routes if route.startswith("api/")]
    assert api_routes, "the walk found the API"
    assert len(api_routes) == len(set(api_routes)), api_routes
    assert all(methods != "*" for _, methods in api_routes)


def test_the_walk_sees_each_api_operation_on_its_own() -> None:
    """django-ninja serves GET and POST of one path through one view: each has its own budget."""
    assert_each_operation_listed_once(project_routes())


def test_a_list_beside_a_create_on_one_path_is_walked_once_each() -> None:
    routes = project_routes(list_and_create.urlpatterns, package=list_and_create.__name__)
    assert_each_operation_listed_once(routes)
    assert [(route, methods, budget) for route, methods, _, budget in routes] == [
        ("api/orders", "GET", list_and_create.LIST_BUDGET),
        ("api/orders", "POST", list_and_create.CREATE_BUDGET),
    ]
    assert routes_without_budget(routes) == ""


def test_a_forgotten_budget_says_what_to_add_and_where() -> None:
    routes = project_routes([path("api/", forgotten_api.urls)], package=__name__)
    message = routes_without_budget(routes)
    line = refund_list.__code__.co_firstlineno
    assert message == (
        f"\n  GET api/refunds: add @query_budget(<queries>) under the route decorator of "
        f"refund_list ({HERE}:{line}); <queries> is what it runs at any "
        "size of data (tests/support/queries.py's assert_queries_flat returns it)."
    )


@pytest.mark.django_db
@pytest.mark.urls(list_and_create.__name__)
def test_each_method_of_one_path_is_held_to_its_own_budget(client: Client) -> None:
    listed, created = list_and_create.LIST_BUDGET, list_and_create.CREATE_BUDGET
    assert client.get("/api/orders", {"queries": listed}).status_code == 200
    with pytest.raises(QueryBudgetExceeded, match=f"budget of {listed} queries"):
        client.get("/api/orders", {"queries": listed + 1})
    assert client.post(f"/api/orders?queries={created}").status_code == 200
    with pytest.raises(QueryBudgetExceeded, match=f"budget of {created} queries"):
        client.post(f"/api/orders?queries={created + 1}")
