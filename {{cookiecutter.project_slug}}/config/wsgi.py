"""WSGI entry point (gunicorn sync workers).

What get_wsgi_application() does, with the process's start (config/startup.py)
between Django's setup and the handler, which loads the middleware once: the
tracing middleware, when traces are on, is in place by then.
"""

import os

import django
from django.core.handlers.wsgi import WSGIHandler

from config import startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

django.setup(set_prefix=False)
startup.start("wsgi")
application = WSGIHandler()
