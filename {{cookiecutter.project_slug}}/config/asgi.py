"""ASGI entry point (uvicorn workers) for the async views."""

import os

from django.core.asgi import get_asgi_application

from config import startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
# Connection policy under ASGI: no persistent connections. Async requests run their
# queries in changing threads, and each thread would keep (and leak) a connection of
# its own; Django's docs require CONN_MAX_AGE=0 here. Reuse, in the pooling modes that
# have it, comes from PgBouncer or the psycopg pool (config/settings/database_pooling.py).
os.environ["DATABASE_CONN_MAX_AGE"] = "0"

application = get_asgi_application()
startup.start("asgi")
