"""Dead letters as the receiver stores them, made directly for the tests that read them."""

import uuid
from typing import Any

from django.conf import settings

from {{ cookiecutter.project_slug }}.dead_letters.models import DeadLetter

TASK = "tests.dead_letters.gone"


def letter_create(**overrides: Any) -> DeadLetter:
    fields: dict[str, Any] = {
        "task_name": TASK,
        "task_id": uuid.uuid4().hex,
        "args": [7],
        "kwargs": {"reason": "no stock"},
        "exception_type": "ConnectionError",
        "exception_message": "the carrier is down",
        "retries": 1,
        "queue": settings.CELERY_TASK_DEFAULT_QUEUE,
    }
    return DeadLetter.objects.create(**{**fields, **overrides})
