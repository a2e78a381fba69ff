"""URL routes of the service."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("{{ cookiecutter.project_slug }}.core.urls")),{% if cookiecutter.include_example_app %}
    path("shop/", include("{{ cookiecutter.project_slug }}.shop.urls")),{% endif %}
    path("admin/", admin.site.urls),
]

if "debug_toolbar" in settings.INSTALLED_APPS:  # local settings only
    from debug_toolbar.toolbar import debug_toolbar_urls

    urlpatterns += debug_toolbar_urls()
