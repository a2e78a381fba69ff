"""Liveness and readiness answered first, before the Host check and every other middleware.

Why first: an orchestrator probes a process at its own address (10.0.3.7:8000,
say), which is not in ALLOWED_HOSTS, over plain HTTP; behind the Host check
and the HTTPS redirect every probe would get 400 or 301 and the process would
never count as up. The probes read no request data that the host check
guards, and answer nothing but up or down (details with X-Health-Token,
probes.py). They answer only requests that came straight to the process: one
a proxy forwarded (X-Forwarded-For: the public route, through the Ingress or a
load balancer) is no probe and goes on to the URLs, where no probe route exists
(404), so the public cannot make every process query its database at will. Under ASGI the blocking checks run in a thread; other requests
pass without a thread switch.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase, JsonResponse

from {{ cookiecutter.project_slug }}.core.health.probes import (
    READINESS,
    health_response,
    run_probes,
)
from {{ cookiecutter.project_slug }}.core.middleware import Middleware

LIVE = "/health/live"
READY = "/health/ready"


class ProbeMiddleware(Middleware):
    def answers(self, request: HttpRequest) -> bool:
        return request.path in {LIVE, READY} and "HTTP_X_FORWARDED_FOR" not in request.META

    def answer(self, request: HttpRequest) -> HttpResponseBase:
        if request.path == LIVE:
            response = JsonResponse({"status": "ok"})
            response["Cache-Control"] = "no-store"
            return response
        return health_response(request, run_probes(READINESS))
