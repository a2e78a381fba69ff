"""Settings of the worker that test_worker_shutdown.py starts."""

from config.settings.test import *  # noqa: F403

CELERY_IMPORTS = ("tests.core.worker.shutdown_worker",)
