"""The Celery application: configured from Django settings, tasks found in each app.

Settings live in config/settings/celery.py (the CELERY_ namespace); workers log
through Django's LOGGING because the worker does not hijack the root logger.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("{{ cookiecutter.project_slug }}")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
