"""Every route of the project declares its query budget (core/query_budget.py).

The URLconf is walked as Django resolves it; a route whose view or API
operation is the project's own code and carries no ``@query_budget`` fails
the test, named. Routes of Django's admin and django-ninja's own pages run on
the project default (QUERY_BUDGET), and the admin lists have query-count
tests of their own.
"""

from django.urls import get_resolver

from {{ cookiecutter.project_slug }}.core.query_budget import budget_of, route_views

PROJECT = "{{ cookiecutter.project_slug }}."


def project_routes() -> list[tuple[str, str, str, int | None]]:
    """(route, methods, view, budget) of every route served by the project's own code."""
    return [
        (route, methods, f"{view.__module__}.{view.__qualname__}", budget_of(view))
        for route, methods, view in route_views(get_resolver().url_patterns)
        if view.__module__.startswith(PROJECT)
    ]


def test_every_project_route_declares_a_budget() -> None:
    routes = project_routes()
    assert any(route.startswith("api/v1/") for route, *_ in routes), "the walk found the API"
    missing = [
        f"{methods} {route} ({view})" for route, methods, view, budget in routes if budget is None
    ]
    assert missing == [], "routes without @query_budget: " + ", ".join(missing)


def test_the_walk_sees_each_api_operation_on_its_own() -> None:
    """django-ninja serves GET and POST of one path through one view: each has its own budget."""
    api_routes = [
        (route, methods) for route, methods, *_ in project_routes() if route.startswith("api/")
    ]
    assert len(api_routes) == len(set(api_routes))
    assert all(methods != "*" for _, methods in api_routes)
