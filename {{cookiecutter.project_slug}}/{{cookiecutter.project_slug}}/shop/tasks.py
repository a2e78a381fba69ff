"""Shop tasks: ids in, one service call inside, retries for transient errors only.

Each task takes primary keys, never model instances (an instance serialized at
enqueue time is stale when the task runs), and is idempotent, because Celery
delivers at least once (config/settings/celery.py). Tasks are enqueued after
commit by the code that changes the data (services, signals).
"""

import smtplib

from celery import shared_task
from django.conf import settings

from {{ cookiecutter.project_slug }}.shop.counts import (
    image_counts_rederive,
    product_image_count_update,
)
from {{ cookiecutter.project_slug }}.shop.notifications import order_confirmation_send

# Worth retrying: the mail server or the network is briefly away. Anything else
# (a refused recipient, a bug) fails at once instead of retrying for minutes.
TRANSIENT_MAIL_ERRORS = (
    ConnectionError,
    TimeoutError,
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
)

# The batch stops well before the soft time limit and continues in a new message,
# so a table of any size fits the limits and a lost worker redoes one slice only.
BATCH_SECONDS = settings.CELERY_TASK_SOFT_TIME_LIMIT / 2


@shared_task(
    autoretry_for=TRANSIENT_MAIL_ERRORS,
    retry_backoff=True,
    retry_backoff_max=settings.TASK_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=settings.TASK_MAX_RETRIES,
)
def order_confirm(order_id: int) -> bool:
    """Mail the order's confirmation once; a redelivery after success sends nothing."""
    return order_confirmation_send(order_id=order_id)


@shared_task
def product_image_count_refresh(product_id: int) -> None:
    """Recount one product's images (scheduled by shop.signals after an image change)."""
    product_image_count_update(product_ids=[product_id])


@shared_task
def products_image_count_refresh(after_pk: int = 0) -> None:
    """Re-derive every product's image count in bounded memory, one time slice per message."""
    last_pk = image_counts_rederive(after_pk=after_pk, seconds=BATCH_SECONDS)
    if last_pk is not None:
        products_image_count_refresh.delay(last_pk)
