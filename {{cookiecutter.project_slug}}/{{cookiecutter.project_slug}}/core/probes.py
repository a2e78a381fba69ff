"""Liveness and readiness answered first, before the Host check and every other middleware.

Why first: an orchestrator probes a process at its own address (10.0.3.7:8000,
say), which is not in ALLOWED_HOSTS, over plain HTTP; behind the Host check
and the HTTPS redirect every probe would get 400 or 301 and the process would
never count as up. The probes read no request data that the host check
guards, and answer nothing but up or down (details with X-Health-Token,
core/health.py). Works for sync and async stacks without a thread switch for
other requests; under ASGI the blocking checks run in a thread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponseBase, JsonResponse

from {{ cookiecutter.project_slug }}.core.health import (
    READINESS,
    health_response,
    run_probes,
)

LIVE = "/health/live"
READY = "/health/ready"


def probe(request: HttpRequest) -> HttpResponseBase | None:
    """The probe's answer, or None when the request is not a probe."""
    if request.path == LIVE:
        response = JsonResponse({"status": "ok"})
        response["Cache-Control"] = "no-store"
        return response
    if request.path == READY:
        return health_response(request, run_probes(READINESS))
    return None


class ProbeMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase]
        | Callable[[HttpRequest], Awaitable[HttpResponseBase]],
    ) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if iscoroutinefunction(self):
            return self._acall(request)
        return probe(request) or self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        if request.path in {LIVE, READY}:
            answer = await sync_to_async(probe)(request)
            if answer is not None:
                return answer
        response: HttpResponseBase = await self.get_response(request)  # type: ignore[misc]
        return response
