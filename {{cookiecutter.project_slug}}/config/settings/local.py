"""Local development: defaults for the services on 127.0.0.1 and the debug toolbar."""

from config import env
from config.env import BASE_DIR
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

# Mail a developer can read: each message written to a file in tmp/mail/ (git-ignored)
# instead of SMTP on localhost:25, where nothing listens on a laptop and every mail a
# task sends would be retried until it is dead-lettered.
LOCAL_MAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
LOCAL_MAIL_DIRECTORY = BASE_DIR / "tmp" / "mail"
if MAILERS_SUPPORTED:  # config/settings/mail.py
    MAILERS = {
        "default": {"BACKEND": LOCAL_MAIL_BACKEND, "OPTIONS": {"file_path": LOCAL_MAIL_DIRECTORY}}
    }
else:
    EMAIL_BACKEND = LOCAL_MAIL_BACKEND
    EMAIL_FILE_PATH = LOCAL_MAIL_DIRECTORY

# Development fails loudly on a route over its query budget (core/telemetry/query_budget.py).
QUERY_BUDGET_RAISE = True

# django-debug-toolbar: SQL per panel, cache calls, timings. Local only: the test
# and production settings never load it. Inside the telemetry middleware, whose
# Server-Timing entries are added to the toolbar's instead of being replaced.
INSTALLED_APPS = [*INSTALLED_APPS, "debug_toolbar"]
_telemetry = MIDDLEWARE.index(
    "{{ cookiecutter.project_slug }}.core.telemetry.middleware.RequestTelemetryMiddleware",
)
MIDDLEWARE.insert(_telemetry + 1, "debug_toolbar.middleware.DebugToolbarMiddleware")
INTERNAL_IPS = ["127.0.0.1"]
# Never on an API request with a body: it would read again a body the API refused
# and answer in HTML where production answers JSON (config/toolbar.py).
DEBUG_TOOLBAR_CONFIG = {"SHOW_TOOLBAR_CALLBACK": "config.toolbar.show_toolbar"}
