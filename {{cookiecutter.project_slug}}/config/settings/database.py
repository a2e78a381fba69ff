"""How the service reaches PostgreSQL: the one place for connection settings.

{% if cookiecutter.database_pooling == 'pgbouncer' -%}
Mode: PgBouncer in transaction mode. PgBouncer keeps a fixed number of server
connections however many web and worker processes connect, so PostgreSQL's
``max_connections`` is never exhausted by scaling out. Django keeps its client
connection to PgBouncer open (cheap) and checks it before reuse.
{%- elif cookiecutter.database_pooling == 'django_pool' -%}
Mode: Django's psycopg connection pool (one pool per process). Connections are
opened once and reused; size the pool from the process's concurrency.
{%- else -%}
Mode: persistent connections. Each worker thread keeps its connection for
``CONN_MAX_AGE`` seconds instead of connecting per request (a connect costs
about as much as a whole small view), and checks it before reuse.
{%- endif %}
"""

from typing import Any
from urllib.parse import unquote, urlsplit

from config import env


def database_from_url(url: str) -> dict[str, Any]:
    """Django's DATABASES entry for a postgres:// URL (validated by config.env)."""
    parts = urlsplit(url)
    try:
        port = parts.port or 5432
    except ValueError:
        raise env.invalid("DATABASE_URL", url, "the port is not a number") from None
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise env.invalid("DATABASE_URL", url, "no database name after the host")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname,
        "PORT": port,
    }


DATABASE_URL = env.read_url("DATABASE_URL", schemes=("postgres", "postgresql"))
CONNECT_TIMEOUT = env.read_int("DATABASE_CONNECT_TIMEOUT", minimum=1)

DATABASES = {
    "default": {
        **database_from_url(DATABASE_URL),
{%- if cookiecutter.database_pooling == 'pgbouncer' %}
        # Keep the (cheap) client connection to PgBouncer; health-check it before reuse.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        # Server-side cursors need the same server connection across transactions,
        # which transaction pooling does not guarantee: .iterator() would break.
        "DISABLE_SERVER_SIDE_CURSORS": True,
        "OPTIONS": {"connect_timeout": CONNECT_TIMEOUT},
{%- elif cookiecutter.database_pooling == 'django_pool' %}
        # A pool and persistent connections are exclusive: Django refuses both.
        "CONN_MAX_AGE": 0,
        "OPTIONS": {
            "connect_timeout": CONNECT_TIMEOUT,
            "pool": {"min_size": 1, "max_size": 4, "timeout": 10},
        },
{%- else %}
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"connect_timeout": CONNECT_TIMEOUT},
{%- endif %}
    }
}
