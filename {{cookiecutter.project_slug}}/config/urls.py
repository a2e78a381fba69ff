"""URL routes of the service."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from config.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("{{ cookiecutter.project_slug }}.core.urls")),
    # The versioned HTTP API (config/api.py): /api/v1/openapi.json describes it.
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if "debug_toolbar" in settings.INSTALLED_APPS:  # local settings only
    from debug_toolbar.toolbar import debug_toolbar_urls

    urlpatterns += debug_toolbar_urls()
