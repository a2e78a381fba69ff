"""A task that failed for good, kept until someone replays or purges it.

Why a table rather than a dead-letter queue on the broker: the rows survive a
broker restart, can be listed and filtered by anyone with the admin or a
shell, and need nothing a broker-specific (RabbitMQ's dead-letter exchanges,
Redis has none). One row per task id: Celery keeps the id across retries, so
a redelivered final attempt records nothing twice.
"""

from django.db import models
from django.utils import timezone


class DeadLetter(models.Model):
    task_name = models.CharField(max_length=255)
    task_id = models.CharField(max_length=255, unique=True)
    # As the message carried them (JSON), so a replay sends exactly the same call.
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    exception_type = models.CharField(max_length=255)
    exception_message = models.TextField()
    traceback = models.TextField(blank=True)
    retries = models.PositiveIntegerField(default=0)
    queue = models.CharField(max_length=255)
    failed_at = models.DateTimeField(default=timezone.now, db_index=True)
    replayed_at = models.DateTimeField(null=True, blank=True)
    replay_task_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-failed_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.task_name}: {self.exception_type}"
