"""Order mail, sent once per order however often the task is delivered.

Why: Celery delivers at least once (late acknowledgement, re-queue when a worker
dies), so the confirmation task may run twice. The order row is locked and
checked before sending and marked sent in the same transaction: a second run
finds the mark and sends nothing, and two concurrent runs queue on the lock. A
crash between sending and committing can still send twice; that is the price of
never losing a confirmation. The transaction holds a database connection while
the mail is sent, which MAIL_TIMEOUT (config/settings/mail.py) bounds.
"""

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from {{ cookiecutter.project_slug }}.shop.models import Order

logger = logging.getLogger(__name__)


def order_confirmation_send(*, order_id: int) -> bool:
    """Mail the confirmation of one order unless already sent; True when this call sent it."""
    with transaction.atomic():
        order = (
            Order.objects.select_for_update()
            .filter(pk=order_id, confirmation_sent_at__isnull=True)
            .first()
        )
        if order is None:
            logger.info("Order %s: confirmation already sent, or no such order", order_id)
            return False
        send_mail(
            subject=f"Order {order.pk} confirmed",
            message=f"Thank you for your order. Total: {order.total}.",
            from_email=None,
            recipient_list=[order.customer_email],
        )
        order.confirmation_sent_at = timezone.now()
        order.status = Order.Status.CONFIRMED
        order.save(update_fields=["confirmation_sent_at", "status"])
    return True
