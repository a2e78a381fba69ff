"""The Celery broker: Redis, which only emulates acknowledgements.

A message delivered to a worker is hidden from the others until it is
acknowledged or its visibility timeout passes; then it is handed out again.
So the timeout must outlast the longest a task can stay unacknowledged (its
retry countdown, the wait for a free process, the run), or it runs twice.
"""

from typing import Any

from config import env
from config.env import Variable
from config.settings.celery import LONGEST_UNACKED_SECONDS

env.declare(
    {
        "CELERY_BROKER_URL": Variable(
            "redis://HOST:PORT/DB", "Message broker of the Celery workers.", secret=True
        ),
    }
)

CELERY_BROKER_URL = env.read_url("CELERY_BROKER_URL", schemes=("redis", "rediss"))

CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
    # Twice the longest unacknowledged time, for margin.
    "visibility_timeout": 2 * LONGEST_UNACKED_SECONDS,
    # A broker that vanishes without closing the connection fails publishes, not hangs them.
    "socket_timeout": 5,
    "socket_connect_timeout": 5,
}
