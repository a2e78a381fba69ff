"""Write throttling through the shared cache, so a limit holds across every process.

Why the shared cache: a per-process counter lets each of N workers allow the
full rate, N times the limit in all. ninja's UserRateThrottle keeps each
user's recent requests in Django's cache (Redis here). ``throttle`` runs it
off the event loop, because its cache calls would otherwise block it, and
answers 429 with Retry-After through the API's error handlers. With Redis
down the cache degrades to misses, and writes are not throttled rather than
refused.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest
from ninja.errors import Throttled
from ninja.throttling import UserRateThrottle


def throttle_check(request: HttpRequest, rate: str) -> None:
    """Raise Throttled (429, Retry-After) when this user is over ``rate``, e.g. "30/m"."""
    # A throttle keeps per-request state: one per call, never shared between threads.
    throttle = UserRateThrottle(rate)
    if not throttle.allow_request(request):
        raise Throttled(wait=throttle.wait())  # type: ignore[arg-type]


async def throttle_writes(request: HttpRequest) -> None:
    """The write throttle (API_WRITE_RATE) for an async operation, off the event loop."""
    await sync_to_async(throttle_check)(request, settings.API_WRITE_RATE)
