"""URL routes of the service."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from config.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("{{ cookiecutter.project_slug }}.core.health.urls")),
    # The versioned HTTP API (config/api.py): /api/v1/openapi.json describes it.
    path("api/v1/", api.urls),
]
# DJANGO_ADMIN_URL and DJANGO_ADMIN_ENABLED (config/settings/access.py): off, the admin has no route.
if settings.ADMIN_ENABLED:
    urlpatterns.append(path(settings.ADMIN_URL, admin.site.urls))

if "debug_toolbar" in settings.INSTALLED_APPS:  # local settings only
    from debug_toolbar.toolbar import debug_toolbar_urls

    urlpatterns += debug_toolbar_urls()
