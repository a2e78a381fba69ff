"""System checks that refuse the settings behind the classic outages.

Why checks and not comments: a setting changed months later by someone who
never read the comment is caught by ``manage.py check`` in CI, by ``migrate``
(the database checks) and at every process start (config/startup.py), each
with an id, a message and a hint naming the file to fix:

======================  ===================================================
core.E001               a per-process (local-memory, dummy ...) cache outside development and tests
core.E002               django-redis without socket timeouts
core.E003               a database without connect_timeout
core.E004 / core.E005   CONN_MAX_AGE other than 0 with the psycopg pool / under ASGI
core.E006               PgBouncer with server-side cursors
core.E007               a Celery task acknowledged early (on receipt)
core.E008               a Celery task not re-queued when its process dies
core.E009               a Celery task without soft and hard time limits
core.E010               a Redis visibility timeout shorter than a task can stay unacknowledged
core.E011               the HTTP client's default timeout unset or zero
core.E012               django-debug-toolbar installed while DEBUG is off
core.E013               a worker's metrics without PROMETHEUS_MULTIPROC_DIR
core.E018 / core.W018   a worker whose SIGTERM waits for its tasks (no REMAP_SIGTERM=SIGQUIT)
core.W002 (database)    the timeouts not stored on the database
core.E014 (database)    more connections than PostgreSQL accepts (connection_budget.py)
======================  ===================================================

Each module holds the checks of one concern; importing them registers them.
"""

from {{ cookiecutter.project_slug }}.core.checks import (  # noqa: F401
    cache,
    celery,
    connection_budget,
    database,
    development,
    http,
)
