"""Django core settings shared by every environment; concerns live in their own modules."""

import django_stubs_ext

# Each concern in its own module; Django reads only the UPPERCASE names.
from config.settings.api import *
from config.settings.cache import *
from config.settings.celery import *
from config.settings.celery_broker import *
from config.settings.database import *
from config.settings.database_pooling import *
from config.settings.http import *
from config.settings.logging import *
from config.settings.mail import *
from config.settings.migration_policy import *
from config.settings.observability import *
from config.settings.security import *{% if cookiecutter.use_sentry %}
from config.settings.sentry import *{% endif %}
from config.settings.server import *
from config.settings.static import *

# Lets generic Django classes be subscripted at run time (ModelAdmin[Product]) for mypy.
django_stubs_ext.monkeypatch()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "{{ cookiecutter.project_slug }}.core",
    "{{ cookiecutter.project_slug }}.users",
    "{{ cookiecutter.project_slug }}.dead_letters",{% if cookiecutter.include_example_app %}
    "{{ cookiecutter.project_slug }}.shop",{% endif %}
]

MIDDLEWARE = [
    # Liveness and readiness before the Host check and the HTTPS redirect (core/probes.py).
    "{{ cookiecutter.project_slug }}.core.probes.ProbeMiddleware",
    # Request id, log line, metrics and query budget of every other request.
    "{{ cookiecutter.project_slug }}.core.middleware.RequestTelemetryMiddleware",
    # Whatever goes wrong below it under /api/ is answered in the API's JSON shape.
    "{{ cookiecutter.project_slug }}.core.api_errors.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files before anything else has work to do (config/settings/static.py).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
{%- if cookiecutter.include_example_app %}

# The example shop's own settings (its external API, its periodic tasks) live with it.
from {{ cookiecutter.project_slug }}.shop.settings import *  # noqa: E402
{%- endif %}
