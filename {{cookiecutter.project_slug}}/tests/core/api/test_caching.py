"""core/api/caching.py: public reads a shared cache may keep and revalidate; nothing else.

Operations of this module's own API, written as a team writes them next: a
public read over a namespace (sync and async), a public read that touches the
session, a write, and an authenticated read.
"""

import re
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import include, path
from ninja import NinjaAPI
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.api import errors as api_errors
from {{ cookiecutter.project_slug }}.core.api.caching import public_cache
from {{ cookiecutter.project_slug }}.core.cache import Namespace
from {{ cookiecutter.project_slug }}.users.auth import WRITE_AUTH

SCRATCH = Namespace("tests.caching")
CALLS: list[str] = []

api = NinjaAPI(urls_namespace="caching")
api_errors.install(api)


@api.get("/public", response={200: dict[str, int], 304: None})
@public_cache(SCRATCH)
def public(request: HttpRequest, n: int = 1) -> dict[str, int]:
    CALLS.append("public")
    return {"n": n}


@api.get("/public-async", response={200: dict[str, int], 304: None})
@public_cache(SCRATCH)
async def public_async(request: HttpRequest) -> dict[str, int]:
    CALLS.append("public-async")
    return {"n": 1}


@api.get("/public-with-session")
@public_cache(SCRATCH)
def public_with_session(request: HttpRequest) -> dict[str, int]:
    request.session["seen"] = True  # a cookie now rides on the answer
    return {"n": 1}


@api.get("/plain")
def plain(request: HttpRequest) -> dict[str, int]:
    return {"n": 1}


@api.post("/write")
def write(request: HttpRequest) -> dict[str, int]:
    return {"n": 1}


@api.get("/mine", auth=WRITE_AUTH)
def mine(request: HttpRequest) -> dict[str, str]:
    return {"user": request.user.get_username()}


urlpatterns = [path("api/caching/", api.urls), path("", include("config.urls"))]

PUBLIC = "/api/caching/public"


@pytest.fixture(autouse=True)
def routes(settings: Settings) -> None:
    settings.ROOT_URLCONF = __name__
    CALLS.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("url", [PUBLIC, "/api/caching/public-async"])
def test_a_public_read_says_who_may_keep_it_how_long_and_what_it_varies_by(
    client: Client, settings: Settings, url: str
) -> None:
    settings.API_CACHE_MAX_AGE = 7
    settings.API_CACHE_STALE_WHILE_REVALIDATE = 40
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=7, stale-while-revalidate=40"
    assert re.fullmatch(r'"[0-9a-f]{24}"', response["ETag"])  # strong: no W/
    assert response["Vary"] == "Accept-Encoding"


@pytest.mark.django_db
@pytest.mark.parametrize("url", [PUBLIC, "/api/caching/public-async"])
def test_a_current_copy_is_answered_304_without_running_the_operation(
    client: Client, url: str
) -> None:
    etag = client.get(url)["ETag"]
    CALLS.clear()
    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get(url, headers={"If-None-Match": sent})
        assert response.status_code == 304, sent
        assert response.content == b""
        assert response["ETag"] == etag
        assert response["Cache-Control"].startswith("public, max-age=")
    assert CALLS == []


@pytest.mark.django_db
def test_each_url_has_its_own_etag_and_an_invalidation_changes_them(client: Client) -> None:
    first, other = client.get(PUBLIC)["ETag"], client.get(f"{PUBLIC}?n=2")["ETag"]
    assert first != other
    SCRATCH.invalidate()
    response = client.get(PUBLIC, headers={"If-None-Match": first})
    assert response.status_code == 200
    assert response["ETag"] != first
    assert CALLS == ["public", "public", "public"]


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_refused")
def test_with_redis_down_no_etag_is_promised_and_nothing_is_answered_304(client: Client) -> None:
    response = client.get(PUBLIC, headers={"If-None-Match": "*"})
    assert response.status_code == 200
    assert "ETag" not in response
    assert response["Cache-Control"].startswith("public, ")


@pytest.mark.django_db
def test_a_public_answer_that_sets_a_cookie_is_kept_by_no_shared_cache(client: Client) -> None:
    response = client.get("/api/caching/public-with-session")
    assert response.cookies  # the session cookie
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "authenticated"),
    [
        ("post", "/api/caching/write", False),
        ("get", "/api/caching/mine", True),
        ("get", "/api/caching/mine", False),  # the 401
        ("get", "/api/v1/me", True),
        ("post", "/api/caching/public", False),  # a method the public read does not serve
    ],
)
def test_writes_and_authenticated_reads_are_private_and_never_stored(
    client: Client, api_headers: dict[str, str], method: str, url: str, authenticated: bool
) -> None:
    response: Any = getattr(client, method)(url, headers=api_headers if authenticated else {})
    assert response.status_code in {200, 401, 405}, response.content
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_a_public_read_that_did_not_opt_in_promises_nothing(client: Client) -> None:
    response = client.get("/api/caching/plain")
    assert response.status_code == 200
    assert "Cache-Control" not in response
    assert "ETag" not in response
