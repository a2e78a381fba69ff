"""Connections the service may open, django_pool mode: each process's pool at its largest.

A gunicorn worker's pool grows to DATABASE_POOL_MAX_SIZE; a Celery pool
process runs one task at a time, so its pool holds its minimum, or one
(config/settings/database_pooling.py).
"""

import multiprocessing

from django.conf import settings


def connections_needed(alias: str) -> tuple[int, str]:
    """(connections, how they add up) for PostgreSQL, all copies of the service together."""
    web = settings.WEB_INSTANCES * settings.WEB_WORKERS * settings.POOL_MAX_SIZE
    concurrency = settings.CELERY_WORKER_CONCURRENCY or multiprocessing.cpu_count()
    per_process = max(settings.POOL_MIN_SIZE, 1)
    celery = settings.CELERY_WORKER_INSTANCES * concurrency * per_process
    return web + celery, (
        f"web {settings.WEB_INSTANCES} x {settings.WEB_WORKERS} workers x pool of "
        f"{settings.POOL_MAX_SIZE} = {web}, Celery {settings.CELERY_WORKER_INSTANCES} x "
        f"{concurrency} processes x {per_process} = {celery}"
    )
