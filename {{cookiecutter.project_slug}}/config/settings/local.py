"""Local development: defaults for the services on 127.0.0.1 and the debug toolbar."""

from config import env
from config.settings.development import DEVELOPMENT_DEFAULTS

env.load_dotenv()
env.use_defaults({**DEVELOPMENT_DEFAULTS, "DJANGO_DEBUG": "true"})

from config.settings.base import *  # noqa: E402

env.check()

ENVIRONMENT = "local"

# Plain HTTP on localhost.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# Development fails loudly on a route over its query budget (core/query_budget.py).
QUERY_BUDGET_RAISE = True

# django-debug-toolbar: SQL per panel, cache calls, timings. Local only: the test
# and production settings never load it. Inside the telemetry middleware, whose
# Server-Timing entries are added to the toolbar's instead of being replaced.
INSTALLED_APPS = [*INSTALLED_APPS, "debug_toolbar"]
_telemetry = MIDDLEWARE.index(
    "{{ cookiecutter.project_slug }}.core.middleware.RequestTelemetryMiddleware",
)
MIDDLEWARE.insert(_telemetry + 1, "debug_toolbar.middleware.DebugToolbarMiddleware")
INTERNAL_IPS = ["127.0.0.1"]
