"""Local development: defaults for the services on 127.0.0.1 and the debug toolbar."""

from config import env
from config.settings.development import DEVELOPMENT_DEFAULTS

env.load_dotenv()
env.use_defaults({**DEVELOPMENT_DEFAULTS, "DJANGO_DEBUG": "true"})

from config.settings.base import *  # noqa: E402

env.check()

# Plain HTTP on localhost.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# django-debug-toolbar: SQL per panel, cache calls, timings. Local only: the test
# and production settings never load it.
INSTALLED_APPS = [*INSTALLED_APPS, "debug_toolbar"]
MIDDLEWARE = ["debug_toolbar.middleware.DebugToolbarMiddleware", *MIDDLEWARE]
INTERNAL_IPS = ["127.0.0.1"]
