"""Django core settings shared by every environment; concerns live in their own modules."""

import django_stubs_ext

# Each concern in its own module; Django reads only the UPPERCASE names.
from config.settings.access import *
from config.settings.api import *
from config.settings.cache import *
from config.settings.celery import *
from config.settings.celery_broker import *
from config.settings.database import *
from config.settings.database_pooling import *
from config.settings.database_replicas import *
from config.settings.http import *
from config.settings.logging import *
from config.settings.mail import *
from config.settings.migration_policy import *
from config.settings.observability import *
from config.settings.security import *{% if cookiecutter.use_sentry %}
from config.settings.sentry import *{% endif %}
from config.settings.server import *{% if cookiecutter.include_example_app %}
from config.settings.shop import *{% endif %}
from config.settings.static import *

# Lets generic Django classes be subscripted at run time (ModelAdmin[Product]) for mypy.
django_stubs_ext.monkeypatch()

INSTALLED_APPS = [
    # django.contrib.admin with the site that asks staff for a second factor (core/access/).
    "{{ cookiecutter.project_slug }}.core.access.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Failed logins counted, lockouts (before core: its log line reads their count).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The API docs page's Swagger UI from the static files, not a CDN: it loads offline
    # and under a CSP of 'self' (config/api.py).
    "ninja",
    "{{ cookiecutter.project_slug }}.core",
    "{{ cookiecutter.project_slug }}.users",
    "{{ cookiecutter.project_slug }}.dead_letters",{% if cookiecutter.include_example_app %}
    "{{ cookiecutter.project_slug }}.shop",{% endif %}
]

MIDDLEWARE = [
    # Liveness and readiness before the Host check and the HTTPS redirect (core/health/middleware.py).
    "{{ cookiecutter.project_slug }}.core.health.middleware.ProbeMiddleware",
    # Request id, log line, metrics and query budget of every other request.
    "{{ cookiecutter.project_slug }}.core.telemetry.middleware.RequestTelemetryMiddleware",
    # Under /api/: whatever goes wrong below it is answered in the API's JSON shape, and
    # what no shared cache may keep says so (after the cookies below are set).
    "{{ cookiecutter.project_slug }}.core.api.middleware.ApiMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy (config/settings/security.py).
    "{{ cookiecutter.project_slug }}.core.access.pages.PageCSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Static files before anything else has work to do (config/settings/static.py).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed a second factor.
    "django_otp.middleware.OTPMiddleware",
    # Django's, its storage made only for a request that uses messages (the admin).
    "{{ cookiecutter.project_slug }}.core.messages.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login refused by a lockout into its 429 page.
    "axes.middleware.AxesMiddleware",
]

if DATABASE_REPLICAS:
    # Before every other middleware that reads (sessions, users): a client that wrote
    # reads its write (core/database/read_your_writes.py). Absent without replicas.
    MIDDLEWARE.insert(
        1,
        "{{ cookiecutter.project_slug }}.core.database.read_your_writes.ReadYourWritesMiddleware",
    )

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The project's own user model from the first migration (users/models.py).
AUTH_USER_MODEL = "users.User"
