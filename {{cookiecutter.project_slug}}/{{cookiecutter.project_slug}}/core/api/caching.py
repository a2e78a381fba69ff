"""What a shared cache (a CDN, a proxy) and a browser may keep of the API's answers.

Why: a public read that every caller gets alike (a catalog) is cheapest served
from the edge; one that names a caller, or a write's answer, must never be
stored where someone else could be served it.

- ``public_cache(namespace)`` on a GET operation whose answer is the same for
  every caller and changes only when ``namespace`` is invalidated (core/cache/).
  Its 200 says ``Cache-Control: public, max-age=API_CACHE_MAX_AGE,
  stale-while-revalidate=API_CACHE_STALE_WHILE_REVALIDATE``, carries a strong
  ``ETag`` made from the namespace's version, the cache's key prefix, the
  release's code (``code_version``: a deploy never answers 304 to an ETag of
  the previous one's answer) and the request's path and query, and ``Vary: Accept-Encoding`` (the body itself
  depends on nothing else the request sends; a layer that compresses it
  serves other bytes under that header). A request whose ``If-None-Match``
  names the current ETag is answered 304 before the operation runs, before
  even its parameters are parsed: no query, no cache body read, only the
  namespace's version, which a namespace with ``version_seconds`` keeps in
  this process. An invalidation changes the ETag at once in the process that
  made it and within the namespace's ``version_seconds`` in the others. While
  Redis is unreachable (version 0) no ETag is sent and nothing is answered 304.
- ``private_unless_public(request, response)`` (run by the API's middleware,
  core/api/middleware.py, outside the session and CSRF middlewares): an
  answer to a write, to an authenticated caller, or a 401/403 says
  ``private, no-store``; so does a public answer that sets a cookie or varies
  by one, which no shared cache may keep.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponseBase, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from ninja.decorators import decorate_view

from {{ cookiecutter.project_slug }}.core.cache import Namespace, namespaces

Operation = TypeVar("Operation", bound=Callable[..., Any])

PRIVATE = "private, no-store"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A shared cache must not keep what answers a caller by name.
PRIVATE_STATUSES = frozenset({401, 403})
VARY = ("Accept-Encoding",)
VARY_HEADER = ", ".join(VARY)


def public_cache_control() -> str:
    return (
        f"public, max-age={settings.API_CACHE_MAX_AGE}, "
        f"stale-while-revalidate={settings.API_CACHE_STALE_WHILE_REVALIDATE}"
    )


def etag_for(namespace: Namespace, request: HttpRequest) -> str | None:
    """The current strong ETag of this URL's answer, or None while the version is unknown."""
    version = namespace.version()
    if not version:
        return None
    identity = (
        f"{cache.make_key(namespace.counter_key)}={version} {namespaces.code_version()} "
        f"{request.get_full_path()}"
    )
    return f'"{hashlib.blake2b(identity.encode(), digest_size=12).hexdigest()}"'


def matches(request: HttpRequest, etag: str) -> bool:
    """Whether If-None-Match names ``etag`` (weak comparison, as RFC 9110 asks for it)."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    listed = parse_etags(header)
    return "*" in listed or etag in (tag.removeprefix("W/") for tag in listed)


def mark_public(response: HttpResponseBase, etag: str | None) -> HttpResponseBase:
    response["Cache-Control"] = public_cache_control()
    if etag is not None:
        response["ETag"] = etag
    if response.has_header("Vary"):
        patch_vary_headers(response, VARY)
    else:
        response["Vary"] = VARY_HEADER
    return response


def _answer(request: HttpRequest, etag: str | None, response: HttpResponseBase) -> HttpResponseBase:
    return mark_public(response, etag) if response.status_code == 200 else response


def _public(namespace: Namespace, run: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a django-ninja operation's ``run`` (before authentication and parsing)."""
    if iscoroutinefunction(run):

        @functools.wraps(run)
        async def arun(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method != "GET":
                return await run(request, *args, **kwargs)  # type: ignore[no-any-return]
            etag = await sync_to_async(etag_for)(namespace, request)
            if etag is not None and matches(request, etag):
                return mark_public(HttpResponseNotModified(), etag)
            return _answer(request, etag, await run(request, *args, **kwargs))

        return arun

    @functools.wraps(run)
    def sync_run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "GET":
            return run(request, *args, **kwargs)  # type: ignore[no-any-return]
        etag = etag_for(namespace, request)
        if etag is not None and matches(request, etag):
            return mark_public(HttpResponseNotModified(), etag)
        return _answer(request, etag, run(request, *args, **kwargs))

    return sync_run


def public_cache(namespace: Namespace) -> Callable[[Operation], Operation]:
    """Let shared caches keep this GET operation's answer; 304 when the caller's copy is current.

    Below ``@router.get``::

        @router.get("/products", response={200: ProductPage, 304: None})
        @public_cache(PRODUCTS)
        def product_list(request, ...): ...
    """
    return decorate_view(functools.partial(_public, namespace))


def private_unless_public(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """``private, no-store`` on what no shared cache may keep (module docstring)."""
    control = response.get("Cache-Control")
    if control is not None:
        if control.startswith("public") and (
            response.cookies or "cookie" in response.get("Vary", "").lower()
        ):
            response["Cache-Control"] = PRIVATE
        return response
    if (
        request.method not in SAFE_METHODS
        or response.status_code in PRIVATE_STATUSES
        or getattr(request, "auth", None) is not None
    ):
        response["Cache-Control"] = PRIVATE
    return response
