"""Defaults shared by the local and test settings: the services on 127.0.0.1.

Production never reads these; there every required variable must be set.
"""

# The test settings' fixed key: it stands in this repository, so production refuses it.
TEST_SECRET_KEY = "test-only-secret-key-never-used-outside-the-test-suite-0123456789"  # noqa: S105

DEVELOPMENT_DEFAULTS = {
    "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1,testserver",
    # The API's interactive docs page at /api/v1/docs, and timings on every response.
    "DJANGO_API_DOCS": "true",
    # The admin without a second factor; production requires one (core.E020).
    "DJANGO_ADMIN_MFA": "optional",
    "DJANGO_SERVER_TIMING": "true",
    # Readable log lines; no worker metrics port on a laptop (gunicorn's stays, on 9100).
    "DJANGO_LOG_FORMAT": "text",
    "CELERY_WORKER_METRICS_BIND": "",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:{{ '6432' if cookiecutter.database_pooling == 'pgbouncer' else '5432' }}/{{ cookiecutter.project_slug }}",
    # Migrations reach PostgreSQL directly (config/settings/migration_policy.py).
    "DATABASE_MIGRATION_URL": "{{ 'postgres://postgres@127.0.0.1:5432/' ~ cookiecutter.project_slug if cookiecutter.database_pooling == 'pgbouncer' else '' }}",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CELERY_BROKER_URL": "{{ 'redis://127.0.0.1:6379/1' if cookiecutter.celery_broker == 'redis' else 'amqp://guest:guest@127.0.0.1:5672//' }}",
}
