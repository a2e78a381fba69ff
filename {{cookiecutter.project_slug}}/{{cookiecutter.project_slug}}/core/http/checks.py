"""Outbound HTTP never waits forever (config/settings/http.py, core/http/sessions.py)."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


@checks.register("core")
def check_http_timeout(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """requests waits forever without a timeout: one stuck upstream stalls every worker."""
    timeout = getattr(settings, "HTTP_TIMEOUT", None)
    parts = timeout if isinstance(timeout, tuple) else (timeout,)
    if all(isinstance(part, int | float) and part > 0 for part in parts):
        return []
    return [
        checks.Error(
            f"HTTP_TIMEOUT is {timeout!r}: the HTTP client's requests could wait forever.",
            hint="Set HTTP_TIMEOUT to (connect, read) seconds above 0 "
            "(HTTP_CONNECT_TIMEOUT and HTTP_READ_TIMEOUT, config/settings/http.py).",
            id="core.E011",
        )
    ]
