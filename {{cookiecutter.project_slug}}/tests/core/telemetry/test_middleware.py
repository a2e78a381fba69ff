"""core/telemetry/middleware.py: every request is logged, counted and held to its query budget, with its id.

Routes of this module's own URLconf: a view with three queries, one with a
budget of one, one reading the cache twice, and an async view querying from
the threads of sync_to_async.
"""

import logging
import re
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import Group
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, JsonResponse
from django.test import AsyncClient, Client
from django.urls import path
from prometheus_client import REGISTRY
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.cache import Namespace, get_or_compute
from {{ cookiecutter.project_slug }}.core.telemetry import middleware
from {{ cookiecutter.project_slug }}.core.telemetry.query_budget import (
    QueryBudgetExceeded,
    query_budget,
)

SCRATCH = Namespace("tests.middleware")


def three_queries(request: HttpRequest) -> JsonResponse:
    found = [Group.objects.filter(pk=pk).exists() for pk in range(3)]
    logging.getLogger("{{ cookiecutter.project_slug }}.tests").info("inside the view")
    return JsonResponse({"found": found})


@query_budget(1)
def three_queries_on_a_budget_of_one(request: HttpRequest, pk: int) -> JsonResponse:
    return three_queries(request)


def cached_twice(request: HttpRequest) -> JsonResponse:
    values = [get_or_compute(SCRATCH.entry("x"), lambda: 42, timeout=60) for _ in range(2)]
    return JsonResponse({"values": values})


async def async_queries(request: HttpRequest) -> JsonResponse:
    first = await Group.objects.filter(pk=1).aexists()
    second = await Group.objects.filter(pk=2).aexists()
    return JsonResponse({"found": [first, second]})


def crashes(request: HttpRequest) -> JsonResponse:
    raise RuntimeError("a bug")


urlpatterns = [
    path("three/", three_queries),
    path("crash/", crashes),
    path("api/crash/", crashes),
    path("budget/<int:pk>/", three_queries_on_a_budget_of_one),
    path("cached/", cached_twice),
    path("async/", async_queries),
]


@pytest.fixture(autouse=True)
def routes(settings: Settings) -> None:
    settings.ROOT_URLCONF = __name__


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if getattr(record, "event", "") == "request"]


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.django_db
def test_one_line_per_request_with_route_and_costs(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=middleware.__name__):
        response = client.get("/three/")
    (line,) = request_lines(caplog)
    assert (line.route, line.method, line.status, line.queries) == ("three/", "GET", 200, 3)  # type: ignore[attr-defined]
    assert line.duration_ms >= line.db_ms > 0  # type: ignore[attr-defined]
    assert line.request_id == response["X-Request-ID"]  # type: ignore[attr-defined]
    assert line.getMessage().startswith("GET /three/ 200 in ")


@pytest.mark.django_db
def test_the_route_pattern_is_logged_not_the_path(
    client: Client, caplog: pytest.LogCaptureFixture, settings: Settings
) -> None:
    settings.QUERY_BUDGET_RAISE = False
    with caplog.at_level(logging.INFO, logger=middleware.__name__):
        client.get("/budget/7/")
        client.get("/nowhere/")
    assert [line.route for line in request_lines(caplog)] == ["budget/<int:pk>/", "<unmatched>"]  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_cache_hits_and_misses_are_counted(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    SCRATCH.invalidate()
    before = sample("cache_lookups_total", namespace="tests.middleware", result="hit")
    with caplog.at_level(logging.INFO, logger=middleware.__name__):
        client.get("/cached/")
    (line,) = request_lines(caplog)
    assert (line.cache_hits, line.cache_misses) == (1, 1)  # type: ignore[attr-defined]
    assert sample("cache_lookups_total", namespace="tests.middleware", result="hit") == before + 1


@pytest.mark.django_db(transaction=True)
def test_an_async_view_is_measured_across_its_threads(caplog: pytest.LogCaptureFixture) -> None:
    """Its queries run in sync_to_async's threads; the measurement follows the context there."""
    with caplog.at_level(logging.INFO, logger=middleware.__name__):
        response = async_to_sync(AsyncClient().get)("/async/")
    assert response.status_code == 200
    (line,) = request_lines(caplog)
    assert line.queries == 2  # type: ignore[attr-defined]


def test_the_middleware_runs_async_under_asgi(caplog: pytest.LogCaptureFixture) -> None:
    """No thread switch for it: Django logs each middleware it has to adapt."""
    with caplog.at_level(logging.DEBUG, logger="django.request"):
        ASGIHandler()  # loads the middleware chain in async mode
    adapted = [record.getMessage() for record in caplog.records if "adapted" in record.getMessage()]
    assert not [message for message in adapted if "RequestTelemetryMiddleware" in message]


@pytest.mark.django_db
def test_the_request_id_of_the_proxy_is_kept_and_echoed(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        response = client.get("/three/", headers={"X-Request-ID": "lb-2f1c9a"})
    assert response["X-Request-ID"] == "lb-2f1c9a"
    (line,) = request_lines(caplog)
    assert line.request_id == "lb-2f1c9a"  # type: ignore[attr-defined]


@pytest.mark.parametrize("sent", [None, "", "x" * 129, 'forged" level=ERROR', "a b"])
@pytest.mark.django_db
def test_a_missing_or_unsafe_request_id_is_replaced(client: Client, sent: str | None) -> None:
    headers = {} if sent is None else {"X-Request-ID": sent}
    echoed = client.get("/three/", headers=headers)["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", echoed)


@pytest.mark.django_db
def test_every_log_line_of_a_request_carries_its_id(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    from {{ cookiecutter.project_slug }}.core.telemetry.request_id import RequestIdFilter

    caplog.handler.addFilter(RequestIdFilter())
    try:
        with caplog.at_level(logging.INFO):
            response = client.get("/three/")
    finally:
        caplog.handler.removeFilter(caplog.handler.filters[-1])
    inside = [record for record in caplog.records if record.getMessage() == "inside the view"]
    assert [record.request_id for record in inside] == [response["X-Request-ID"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize("url", ["/crash/", "/api/crash/"], ids=["page", "API"])
def test_a_5xx_answer_carries_the_id_its_error_was_logged_with(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The id a client quotes from a 500 finds the traceback in the log."""
    from {{ cookiecutter.project_slug }}.core.telemetry.request_id import RequestIdFilter

    caplog.handler.addFilter(RequestIdFilter())
    try:
        with caplog.at_level(logging.INFO):
            response = Client(raise_request_exception=False).get(
                url, headers={"X-Request-ID": "lb-5xx"}
            )
    finally:
        caplog.handler.removeFilter(caplog.handler.filters[-1])
    assert response.status_code == 500
    assert response["X-Request-ID"] == "lb-5xx"
    errors = [record for record in caplog.records if record.exc_info]
    assert errors, "the traceback is logged"
    assert {record.request_id for record in errors} == {"lb-5xx"}  # type: ignore[attr-defined]
    (line,) = request_lines(caplog)
    assert (line.status, line.request_id) == (500, "lb-5xx")  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_requests_are_counted_in_the_metrics(client: Client) -> None:
    labels = {"route": "three/", "method": "GET", "status": "200"}
    before = sample("http_requests_total", **labels)
    queries_before = sample("http_request_queries_sum", route="three/")
    client.get("/three/")
    assert sample("http_requests_total", **labels) == before + 1
    assert sample("http_request_queries_sum", route="three/") == queries_before + 3
    assert sample("http_request_duration_seconds_count", route="three/") >= 1


@pytest.mark.django_db
def test_queries_are_counted_per_route_and_database(client: Client) -> None:
    """db_queries{route, alias}: where the reads went (the default database without replicas)."""
    before = sample("db_queries_total", route="three/", alias="default")
    for _ in range(2):  # the second through the series remembered by the first
        client.get("/three/")
    assert sample("db_queries_total", route="three/", alias="default") == before + 6


@pytest.mark.django_db
def test_each_route_method_and_status_is_counted_in_its_own_series(client: Client) -> None:
    """The series are looked up once per label set (metrics.py): never one for another."""
    series = [("three/", "GET", "200"), ("<unmatched>", "GET", "404"), ("three/", "POST", "200")]

    def counts() -> dict[tuple[str, str, str], float]:
        return {
            labels: sample(
                "http_requests_total", route=labels[0], method=labels[1], status=labels[2]
            )
            for labels in series
        }

    before = counts()
    for _ in range(2):
        client.get("/three/")
        client.get("/nowhere/")
        client.post("/three/")
    after = counts()
    assert {labels: after[labels] - before[labels] for labels in series} == dict.fromkeys(series, 2)


@pytest.mark.django_db
def test_over_budget_raises_in_tests_with_the_sql(client: Client) -> None:
    with pytest.raises(QueryBudgetExceeded, match=r"budget of 1 queries") as raised:
        client.get("/budget/1/")
    # Every statement so far, the one that went over included.
    assert str(raised.value).count('FROM "auth_group"') == 2


@pytest.mark.django_db
def test_over_budget_in_production_answers_and_is_logged_and_counted(
    client: Client, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.QUERY_BUDGET_RAISE = False  # production's
    before = sample("http_request_over_query_budget_total", route="budget/<int:pk>/")
    with caplog.at_level(logging.WARNING, logger=middleware.__name__):
        response = client.get("/budget/1/")
    assert response.status_code == 200
    assert "GET budget/<int:pk>/ ran 3 queries, over its budget of 1" in caplog.text
    assert sample("http_request_over_query_budget_total", route="budget/<int:pk>/") == before + 1


@pytest.mark.django_db
def test_within_budget_is_quiet(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=middleware.__name__):
        client.get("/three/")
    assert [record for record in caplog.records if record.name == middleware.__name__] == []


@pytest.mark.django_db
def test_server_timing_reports_the_total_and_the_queries(client: Client) -> None:
    timing = client.get("/three/")["Server-Timing"]
    assert re.fullmatch(r'total;dur=[\d.]+, db;dur=[\d.]+;desc="3 queries"', timing), timing


def toolbar_like_middleware(get_response: Any) -> Any:
    """Sets Server-Timing entries of its own, as the debug toolbar does."""

    def call(request: HttpRequest) -> Any:
        response = get_response(request)
        response["Server-Timing"] = 'SQLPanel_sql_time;dur=1;desc="SQL 3 queries"'
        return response

    return call


@pytest.mark.django_db
def test_server_timing_is_added_to_an_existing_header(settings: Settings, client: Client) -> None:
    """The debug toolbar sits inside this middleware (config/settings/local.py)."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.toolbar_like_middleware"]
    timing = client.get("/three/")["Server-Timing"]
    assert timing.startswith('SQLPanel_sql_time;dur=1;desc="SQL 3 queries", total;dur=')


@pytest.mark.django_db
def test_server_timing_is_off_unless_configured(client: Client, settings: Settings) -> None:
    settings.SERVER_TIMING = False  # production's default
    assert "Server-Timing" not in client.get("/three/")
