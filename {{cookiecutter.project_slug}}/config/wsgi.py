"""WSGI entry point (gunicorn sync workers)."""

import os

from django.core.wsgi import get_wsgi_application

from config import startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
startup.start("wsgi")
