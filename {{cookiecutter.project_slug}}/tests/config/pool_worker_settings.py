"""Settings of the worker that test_celery_pool.py starts."""

from config.settings.test import *  # noqa: F403

CELERY_IMPORTS = ("tests.config.pool_worker",)
