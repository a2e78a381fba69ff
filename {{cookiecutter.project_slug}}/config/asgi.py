"""ASGI entry point (uvicorn workers) for the async views.

As config/wsgi.py: the process starts (config/startup.py) before the handler loads the middleware.
"""

import os

import django
from django.core.handlers.asgi import ASGIHandler

from config import startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
# Connection policy under ASGI: no persistent connections. Async requests run their
# queries in changing threads, and each thread would keep (and leak) a connection of
# its own; Django's docs require CONN_MAX_AGE=0 here. Reuse, in the pooling modes that
# have it, comes from PgBouncer or the psycopg pool (config/settings/database_pooling.py).
os.environ["DATABASE_CONN_MAX_AGE"] = "0"

django.setup(set_prefix=False)
startup.start("asgi")
application = ASGIHandler()
