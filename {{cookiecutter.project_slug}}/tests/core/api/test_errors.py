"""Every error under /api/ has one JSON shape, whatever raised it; other paths are left alone."""

from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import include, path
from ninja import NinjaAPI, Query, Schema
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.api import errors as api_errors

crashing = NinjaAPI(urls_namespace="crashing")
api_errors.install(crashing)


@crashing.get("/crash")
def crash(request: HttpRequest) -> None:
    raise RuntimeError("secret internals: /srv/app/settings.py")


class Point(Schema):
    x: int
    y: int


# Operations as a team writes them next: one body, two bodies, a query schema.
locating = api_errors.ClientLocationsAPI(urls_namespace="locating")
api_errors.install(locating)


@locating.post("/one")
def one_body(request: HttpRequest, point: Point) -> None:
    pass


@locating.post("/two")
def two_bodies(request: HttpRequest, start: Point, end: Point) -> None:
    pass


@locating.get("/query")
def query_schema(request: HttpRequest, point: Query[Point]) -> None:
    pass


urlpatterns = [
    path("api/test/", crashing.urls),
    path("api/locating/", locating.urls),
    path("", include("config.urls")),
]


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert body["error"] == code
    assert set(body) == {"error", "detail"}
    return body


@pytest.mark.django_db
def test_an_unknown_path_is_a_json_404(client: Client) -> None:
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")


@pytest.mark.django_db
def test_a_wrong_method_is_a_json_405_with_allow(client: Client) -> None:
    response = client.delete("/api/v1/me")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_a_crash_is_a_json_500_that_reveals_nothing(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/api/test/crash")
    body = assert_error(response, 500, "internal_error")
    assert "secret" not in response.content.decode()
    assert body["detail"] == "Internal server error."
    assert "secret internals" in caplog.text, "the details go to the log"


@pytest.mark.django_db
def test_under_debug_a_crash_shows_its_traceback_and_a_4xx_stays_json(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """docs/api.md: under local settings a 500 is Django's debug page, for the developer."""
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = True
    client = Client(raise_request_exception=False)
    crash = client.get("/api/test/crash")
    assert crash.status_code == 500
    assert crash["Content-Type"].startswith("text/html")
    assert "secret internals" in crash.content.decode()
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")


@pytest.mark.django_db
def test_pages_outside_the_api_keep_their_own_errors(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_the_openapi_schema_is_served(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["version"] == "1"
    assert "/api/v1/me" in schema["paths"]


@pytest.mark.parametrize(
    ("operation", "body", "location"),
    [
        ("one", {"x": 1, "y": "b"}, ["body", "y"]),
        ("one", {"x": 1}, ["body", "y"]),
        ("one", "", ["body"]),
        ("two", {"start": {"x": 1, "y": 2}, "end": {"x": "a", "y": 2}}, ["body", "end", "x"]),
        ("query?x=1&y=b", None, ["query", "y"]),
    ],
    ids=["one body", "one body, a field missing", "no body", "two bodies", "query"],
)
def test_a_422_locates_what_the_client_sent(
    settings: Settings, client: Client, operation: str, body: object, location: list[str]
) -> None:
    settings.ROOT_URLCONF = __name__
    url = f"/api/locating/{operation}"
    if body is None:
        response = client.get(url)
    else:
        response = client.post(url, body, content_type="application/json")
    (error,) = assert_error(response, 422, "invalid")["detail"]
    assert error["loc"] == location
