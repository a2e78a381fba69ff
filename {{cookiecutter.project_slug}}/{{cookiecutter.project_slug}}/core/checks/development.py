"""Development tools stay in development (config/settings/local.py)."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


@checks.register("core")
def check_debug_toolbar(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """With DEBUG off the toolbar shows nothing, but still instruments every request and query."""
    if "debug_toolbar" not in settings.INSTALLED_APPS or settings.DEBUG:
        return []
    return [
        checks.Error(
            "django-debug-toolbar is installed while DEBUG is off: every request still pays "
            "for its instrumentation, and its URLs are mounted.",
            hint="Install it in config/settings/local.py only, as shipped.",
            id="core.E012",
        )
    ]
