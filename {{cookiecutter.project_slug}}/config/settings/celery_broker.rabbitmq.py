"""The Celery broker: RabbitMQ, with publisher confirms.

RabbitMQ hands a message out again as soon as the connection of the worker
holding it unacknowledged drops, so no visibility timeout is involved. It does
close a channel whose delivery stays unacknowledged past its consumer_timeout
(30 min by default): keep LONGEST_UNACKED_SECONDS (config/settings/celery.py)
below it.
"""

from typing import Any

from config import env
from config.env import Variable

env.declare(
    {
        "CELERY_BROKER_URL": Variable(
            "amqp://USER:PASSWORD@HOST:PORT/VHOST",
            "Message broker of the Celery workers.",
            secret=True,
        ),
    }
)

CELERY_BROKER_URL = env.read_url("CELERY_BROKER_URL", schemes=("amqp", "amqps"))

CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
    # Publisher confirms: delay() returns once RabbitMQ has taken the message, so a
    # broker restart cannot drop it silently. Queues are classic and durable; quorum
    # queues (replicated, for a cluster) would also need a topic default exchange
    # for delayed retries, and give up global prefetch and priorities.
    "confirm_publish": True,
}
