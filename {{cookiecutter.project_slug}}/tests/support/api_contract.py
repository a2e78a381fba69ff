"""The API's documented error answers, asked of a small API of the tests' own.

Every project has it, example shop or not: one operation that reads a JSON
body (through the project's parser and error handlers) and one that needs
credentials first, mounted under the API prefix so the project's middleware
treats them as it treats /api/v1/. ``answers`` sends the bad requests a
client may send and returns what came back; a settings module keeps the
contract when its answers equal ``DOCUMENTED``. Use the URLconf with
``settings.ROOT_URLCONF = "tests.support.api_contract"``.
"""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import async_to_sync
from django.http import HttpRequest, HttpResponseBase
from django.test import AsyncClient, Client
from django.urls import URLPattern, URLResolver, path
from ninja import Schema

from {{ cookiecutter.project_slug }}.core.api import errors as api_errors
from {{ cookiecutter.project_slug }}.core.api.parser import BoundedJSONParser
from {{ cookiecutter.project_slug }}.users.auth import WRITE_AUTH

from config import urls


class Named(Schema):
    name: str


# Built as config/api.py builds the service's API.
api = api_errors.ClientLocationsAPI(urls_namespace="api_contract", parser=BoundedJSONParser())
api_errors.install(api)


@api.post("/named")
def named_read(request: HttpRequest, named: Named) -> dict[str, str]:
    return {"name": named.name}


@api.post("/named-by-users", auth=WRITE_AUTH)
def named_read_by_users(request: HttpRequest, named: Named) -> dict[str, str]:
    return {"name": named.name}


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/contract/", api.urls),
    *urls.urlpatterns,
]

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# Over Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), and over the API's own bound only.
TEN_MEGABYTES = b'{"name": "' + b"x" * 10_000_000 + b'"}'
SEVENTY_KILOBYTES = b'{"name": "' + b"x" * 70_000 + b'"}'
DEEP = b"[" * 5_000 + b"]" * 5_000

# (what, method, path, body, content type) -> (status, error code): the documented answers.
DOCUMENTED: dict[tuple[str, str, str, bytes, str], tuple[int, str]] = {
    ("10 MB body", "POST", "/api/contract/named", TEN_MEGABYTES, JSON): (413, "payload_too_large"),
    ("70 KB body", "POST", "/api/contract/named", SEVENTY_KILOBYTES, JSON): (
        413,
        "payload_too_large",
    ),
    ("10 MB form", "POST", "/api/contract/named", b"name=" + b"x" * 10_000_000, FORM): (
        413,
        "payload_too_large",
    ),
    ("a form", "POST", "/api/contract/named", b"name=x", FORM): (415, "unsupported_media_type"),
    ("JSON as text/plain", "POST", "/api/contract/named", b'{"name": "x"}', "text/plain"): (
        415,
        "unsupported_media_type",
    ),
    ("5,000 deep", "POST", "/api/contract/named", DEEP, JSON): (400, "too_deep"),
    ("not JSON", "POST", "/api/contract/named", b"{not json", JSON): (400, "bad_json"),
    ("wrong field", "POST", "/api/contract/named", b'{"name": 1}', JSON): (422, "invalid"),
    ("unknown path", "GET", "/api/v1/no-such-thing", b"", JSON): (404, "not_found"),
    ("wrong method", "DELETE", "/api/v1/me", b"", JSON): (405, "method_not_allowed"),
    ("no credentials", "GET", "/api/v1/me", b"", JSON): (401, "unauthorized"),
    ("no credentials, 10 MB body", "GET", "/api/v1/me", TEN_MEGABYTES, JSON): (
        401,
        "unauthorized",
    ),
    ("no credentials, 5,000 deep", "POST", "/api/contract/named-by-users", DEEP, JSON): (
        401,
        "unauthorized",
    ),
}


def answer(response: HttpResponseBase) -> tuple[int, str]:
    """(status, error code), or the content type when the answer is not the one JSON shape."""
    content_type = response.get("Content-Type", "")
    if content_type != JSON:
        return response.status_code, f"not JSON: {content_type}"
    body: Any = json.loads(response.content)  # type: ignore[attr-defined]
    if set(body) != {"error", "detail"}:
        return response.status_code, f"not the error shape: {sorted(body)}"
    return response.status_code, str(body["error"])


async def asend(
    client: AsyncClient, method: str, where: str, body: bytes, content_type: str
) -> HttpResponseBase:
    return await client.generic(method, where, body, content_type)


def answers() -> dict[str, dict[str, tuple[int, str]]]:
    """What each request of DOCUMENTED got, through the WSGI and the ASGI handler."""
    # The test clients send from 127.0.0.1, as a browser on the developer's machine does.
    wsgi = Client(raise_request_exception=False)
    asgi = AsyncClient(raise_request_exception=False)
    got: dict[str, dict[str, tuple[int, str]]] = {"wsgi": {}, "asgi": {}}
    for what, method, where, body, content_type in DOCUMENTED:
        got["wsgi"][what] = answer(wsgi.generic(method, where, body, content_type))
        got["asgi"][what] = answer(async_to_sync(asend)(asgi, method, where, body, content_type))
    return got


def documented() -> dict[str, dict[str, tuple[int, str]]]:
    expected = {what: outcome for (what, *_), outcome in DOCUMENTED.items()}
    return {"wsgi": expected, "asgi": expected}
