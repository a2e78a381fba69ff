"""Error reporting to Sentry, enabled when SENTRY_DSN is set (config/settings/sentry.py)."""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration


def init_sentry(dsn: str) -> None:
    if not dsn:
        return
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Errors only by default; turn on tracing deliberately, it has a cost.
        traces_sample_rate=0.0,
        send_default_pii=False,
    )
