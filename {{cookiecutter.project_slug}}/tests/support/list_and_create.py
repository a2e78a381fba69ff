"""The ordinary code a team writes next: a list beside the create, on one path.

django-ninja adds one URL pattern per operation of a path, so this URLconf
has two patterns for ``api/orders``; the query budget's walk, its middleware
and ``route_report`` must each see the two operations once, with their own
budgets. Each operation runs the number of queries the ``queries`` parameter
asks for. Use it with ``@pytest.mark.urls("tests.support.list_and_create")``.
"""

from django.db import connection
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI, Router

from {{ cookiecutter.project_slug }}.core.telemetry.query_budget import query_budget

LIST_BUDGET = 3
CREATE_BUDGET = 8

orders = Router()


def run_queries(count: int) -> None:
    with connection.cursor() as cursor:
        for _ in range(count):
            cursor.execute("SELECT 1")


@orders.get("/orders")
@query_budget(LIST_BUDGET)
def order_list(request: HttpRequest, queries: int = 0) -> list[int]:
    run_queries(queries)
    return []


@orders.post("/orders")
@query_budget(CREATE_BUDGET)
def order_create(request: HttpRequest, queries: int = 0) -> dict[str, int]:
    run_queries(queries)
    return {"id": 1}


api = NinjaAPI(urls_namespace="list_and_create")
api.add_router("/", orders)

urlpatterns: list[URLPattern | URLResolver] = [path("api/", api.urls)]
