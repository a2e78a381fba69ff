"""Connections the service may open, persistent mode: one per thread that queries.

Each gunicorn worker thread keeps its own connection, and each Celery pool
process one (config/settings/database_pooling.py).
"""

import multiprocessing

from django.conf import settings


def connections_needed(alias: str) -> tuple[int, str]:
    """(connections, how they add up) for PostgreSQL, all copies of the service together."""
    web = settings.WEB_INSTANCES * settings.WEB_WORKERS * settings.WEB_THREADS
    concurrency = settings.CELERY_WORKER_CONCURRENCY or multiprocessing.cpu_count()
    celery = settings.CELERY_WORKER_INSTANCES * concurrency
    return web + celery, (
        f"web {settings.WEB_INSTANCES} x {settings.WEB_WORKERS} workers x "
        f"{settings.WEB_THREADS} threads = {web}, Celery {settings.CELERY_WORKER_INSTANCES} "
        f"x {concurrency} processes = {celery}"
    )
