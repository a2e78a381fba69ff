"""The Celery application: configured from Django settings, tasks found in each app.

Settings live in config/settings/celery.py (the CELERY_ namespace); workers log
through Django's LOGGING because the worker does not hijack the root logger.

Connections in a prefork worker: Celery's Django fixup (celery>=5.7, as
pyproject.toml requires) closes, in each forked pool process, the connections
and the psycopg pool inherited from the main process, so every child opens its
own (DATABASE_POOL_MAX_SIZE per child at most in django_pool mode) and none
shares its parent's sockets. tests/config/test_celery_pool.py holds it to that.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("{{ cookiecutter.project_slug }}")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
