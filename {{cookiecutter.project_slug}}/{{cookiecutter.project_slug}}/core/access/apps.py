"""django.contrib.admin with this project's site as ``admin.site``.

Why an AppConfig: every ``admin.site.register`` and ``@admin.register`` then
lands on the site that asks for a second factor (admin_site.py), with no
second site to keep in step. This module imports no model: apps load it first.
"""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "{{ cookiecutter.project_slug }}.core.access.admin_site.StaffAdminSite"
