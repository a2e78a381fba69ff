"""A client reads its own writes, with replicas: the primary's WAL position in a signed cookie.

Within a request, the router sends every read after a write to the primary
(routing.py). Across requests, a replica may not have replayed the write yet
(lag is milliseconds, and a client's next request can be faster). So when a
request wrote, its response carries the primary's WAL position at that moment
(``pg_current_wal_lsn()``, one query) in the ``db_position`` cookie, signed
with SECRET_KEY and valid DATABASE_REPLICA_PIN_SECONDS. Until then that
client's reads go to a replica that has replayed at least that position
(replica_health.py), and to the primary while none has: pinned only as long
as replication really is behind it, not for a fixed window.

Why a signed cookie: browsers and cookie-keeping API clients (requests.Session,
httpx.Client) send it back with no code of their own, whether they are
anonymous, logged in or hold an API key; it keeps no state on the server; and
a forged or stale one is refused by its signature or its age. A session would
need a session read (on the primary, or it would be stale itself) on every
request and does not exist for API-key clients; a header needs each client to
be written for it. A client that drops cookies still reads its writes within
the request and, across requests, as soon as replicas are within
DATABASE_REPLICA_MAX_LAG.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.core import signing
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponseBase
from django.urls import NoReverseMatch, get_urlconf, reverse

from {{ cookiecutter.project_slug }}.core.database import routing
from {{ cookiecutter.project_slug }}.core.database.replica_health import position
from {{ cookiecutter.project_slug }}.core.telemetry import measurement

COOKIE = "db_position"
SALT = "{{ cookiecutter.project_slug }}.core.database.read_your_writes"
# When the primary cannot say its position: no replica qualifies until the cookie expires.
UNKNOWN_POSITION = "FFFFFFFF/FFFFFFFF"


def admin_prefix() -> str | None:
    return _admin_prefix(get_urlconf() or settings.ROOT_URLCONF)


@functools.cache
def _admin_prefix(urlconf: str) -> str | None:
    try:
        return reverse("admin:index", urlconf=urlconf)
    except NoReverseMatch:
        return None


def primary_position() -> str:
    """The primary's WAL position now: at or after every write committed so far."""
    try:
        with measurement.unmeasured(), connections[routing.PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            return str(cursor.fetchone()[0])
    except DatabaseError:
        return UNKNOWN_POSITION


def reads_for(request: HttpRequest) -> routing.Reads:
    """The request's routing: the admin on the primary; a client's last write from its cookie."""
    prefix = admin_prefix()
    if prefix is not None and request.path.startswith(prefix):
        return routing.Reads(replicas_allowed=False)
    signed = request.COOKIES.get(COOKIE)
    if not signed:
        return routing.Reads()
    try:
        lsn = signing.TimestampSigner(salt=SALT).unsign(
            signed, max_age=settings.DATABASE_REPLICA_PIN_SECONDS
        )
        return routing.Reads(after_position=position(lsn))
    except (signing.BadSignature, ValueError):
        return routing.Reads()


def remember(response: HttpResponseBase, lsn: str) -> None:
    response.set_cookie(
        COOKIE,
        signing.TimestampSigner(salt=SALT).sign(lsn),
        max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


class ReadYourWritesMiddleware:
    """Routes each request's reads (routing.Reads) and pins a client that wrote."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        with routing.reading(reads_for(request)) as reads:
            response: HttpResponseBase = self.get_response(request)
        if reads.wrote:
            remember(response, primary_position())
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = self.get_response
        with routing.reading(reads_for(request)) as reads:
            response = await get_response(request)
        if reads.wrote:
            remember(response, await sync_to_async(primary_position)())
        return response
