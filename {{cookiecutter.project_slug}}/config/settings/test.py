"""Test settings: the real PostgreSQL{{ ' (through PgBouncer)' if cookiecutter.database_pooling == 'pgbouncer' else '' }} and Redis on 127.0.0.1, never SQLite or LocMem.

A developer's .env is not read: tests see the environment and these defaults only.
"""

import os

from config import env
from config.settings.development import DEVELOPMENT_DEFAULTS, TEST_SECRET_KEY

env.use_defaults(
    {
        **DEVELOPMENT_DEFAULTS,
        # A fixed throwaway key: tests must not depend on a developer's .env.
        "DJANGO_SECRET_KEY": TEST_SECRET_KEY,
        # Tests get their own Redis database and key namespace.
        "REDIS_URL": "redis://127.0.0.1:6379/2",{% if cookiecutter.celery_broker == 'redis' %}
        # The test workers shorten the visibility timeout, and kombu's unacked index
        # spans the whole Redis database: keep test brokers off the one `make worker` uses.
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/4",{% endif %}
        "CACHE_KEY_PREFIX": "{{ cookiecutter.project_slug }}-test",
{%- if cookiecutter.database_pooling == 'django_pool' %}
        # A dead database fails a test in seconds, not after production's 10.
        "DATABASE_POOL_TIMEOUT": "2",
{%- endif %}
        # A queue per test process: runs sharing the broker never take each other's tasks.
        "CELERY_TASK_DEFAULT_QUEUE": f"{{ cookiecutter.project_slug }}-test-{os.getpid()}",
        # A test of a silent SMTP server waits one second, not ten.
        "EMAIL_TIMEOUT": "1",
    }
)

from config.settings.base import *  # noqa: E402

env.check()

ENVIRONMENT = "test"
# A test fails at the query that takes a route over its budget (core/telemetry/query_budget.py).
QUERY_BUDGET_RAISE = True

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# collectstatic does not run for tests: plain names, and WhiteNoise finds each file
# in its app, as in development. The tests that boot the production server collect.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Hashing passwords slowly is a production feature, not a test one.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# client.login() works (it has no request); logins through a view are counted as ever.
AUTHENTICATION_BACKENDS = [
    "tests.support.logins.TestClientLockoutBackend",
    *AUTHENTICATION_BACKENDS[1:],
]

# N+1 detector: tests/conftest.py runs every test inside zeal_context(), so a
# relation loaded row by row in any code a test runs raises NPlusOneError. The
# middleware gives each request its own context: two requests of one test are
# not mistaken for an N+1.
INSTALLED_APPS = [*INSTALLED_APPS, "zeal", "django_migration_linter"]

# `manage.py lintmigrations` (make check) fails on a migration that breaks a
# rolling deploy: one the code still running during the deploy cannot live with
# (a dropped or renamed column, a NOT NULL column without a database default).
# Initial migrations create tables nobody uses yet: nothing to break. Only the project's
# own apps: a library's migrations (axes, django-otp) are its history, applied once to
# tables the running code does not use yet, and not the project's to rewrite.
_OWN_APPS = "{{ cookiecutter.project_slug }}."
MIGRATION_LINTER_OPTIONS = {
    "ignore_initial_migrations": True,
    "no_cache": True,
    "include_apps": [
        name.rpartition(".")[2] for name in INSTALLED_APPS if name.startswith(_OWN_APPS)
    ],
}
MIDDLEWARE = ["zeal.middleware.zeal_middleware", *MIDDLEWARE]
ZEAL_RAISE = True
ZEAL_NPLUSONE_THRESHOLD = 2
ZEAL_SHOW_ALL_CALLERS = True

# django-perf-rec: a missing or changed *.perf.yml record fails the test (as in CI).
# After an intended change, re-record with `make test PYTEST_ARGS="-n 0 --perf-rec-mode=overwrite"`.
PERF_REC = {"MODE": "none"}
# Mail stays in memory: pytest-django does so in the test process, this covers the
# workers that tests start (in the form this Django reads, config/settings/mail.py).
if MAILERS_SUPPORTED:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# `make test` runs pytest-xdist workers that share Redis and the broker: each
# worker gets its own cache namespace and task queue. Processes a test starts
# inherit both the variables and the worker id, so the suffix is added once.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")


def _per_worker(name: str) -> str:
    return name if name.endswith(_xdist_worker) else f"{name}{_xdist_worker}"


CACHES = {
    "default": {
        **CACHES["default"],
        "KEY_PREFIX": _per_worker(str(CACHES["default"]["KEY_PREFIX"])),
    }
}
CELERY_TASK_DEFAULT_QUEUE = _per_worker(CELERY_TASK_DEFAULT_QUEUE)
