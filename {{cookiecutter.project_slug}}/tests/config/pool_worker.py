"""What the worker of test_celery_pool.py runs: a main process holding a pool, a task that queries.

The main process opens its psycopg pool before forking, as any start-up code
that touches the database would; each task records the pool process it ran
in and the PostgreSQL session it used.
"""

import os
from typing import Any

from celery import shared_task
from celery.signals import worker_init
from django.contrib.auth.models import Group
from django.db import connection


@worker_init.connect
def open_a_pool_in_the_main_process(**kwargs: Any) -> None:
    connection.ensure_connection()
    connection.close()  # back to the pool, which stays open in the main process


@shared_task
def group_create(number: int) -> None:
    """Record which process ran the task, and which PostgreSQL session it used."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (session,) = cursor.fetchone()
    Group.objects.create(name=f"task-{number}-process-{os.getpid()}-session-{session}")
