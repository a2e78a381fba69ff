"""Every failed login told: one log line and a Prometheus counter.

Why: a password being guessed must show where an operator looks, not only in
a table. Per failure (Django's ``user_login_failed``, after axes counted it):

- a WARNING line (JSON in production), event ``login_failed``: the route, the
  username tried (never the password: Django hands receivers the credentials
  with every secret replaced), the client's address (client.py), the request
  id, the failures counted so far and whether the attempt is locked out;
- ``login_failures_total`` by route and outcome (``refused``, or ``locked``
  once the lockout holds), on the web server's metrics port.
"""

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from prometheus_client import Counter

from {{ cookiecutter.project_slug }}.core.access.client import client_address
from {{ cookiecutter.project_slug }}.core.telemetry import request_id
from {{ cookiecutter.project_slug }}.core.telemetry.middleware import route_of

logger = logging.getLogger(__name__)

LOGIN_FAILURES = Counter(
    "login_failures",
    "Failed logins, by route and outcome: refused (wrong credentials) or locked (lockout holds).",
    ["route", "outcome"],
)
# A username is whatever a client typed: cut short, it cannot flood a line.
USERNAME_LOGGED_MAX = 150


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get(get_user_model().USERNAME_FIELD, ""))[:USERNAME_LOGGED_MAX]
    route = route_of(request) if request is not None else "-"
    locked = bool(getattr(request, "axes_locked_out", False))
    failures = getattr(request, "axes_failures_since_start", None)
    address = client_address(request) if request is not None else None
    logger.warning(
        "login failed for %r on %s from %s%s",
        username,
        route,
        address,
        " (locked out)" if locked else "",
        extra={
            "event": "login_failed",
            "route": route,
            "username": username,
            "address": address,
            "request_id": request_id.current(),
            "failures": failures,
            "locked_out": locked,
        },
    )
    LOGIN_FAILURES.labels(route, "locked" if locked else "refused").inc()
