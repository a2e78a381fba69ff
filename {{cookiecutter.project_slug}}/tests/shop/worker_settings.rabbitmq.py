"""Settings of the workers that tests/shop/test_worker.py starts: mail takes a moment.

RabbitMQ hands a killed worker's messages out again as soon as its connection
drops: nothing to shorten.
"""

from config.settings.test import *  # noqa: F403

EMAIL_BACKEND = "tests.shop.mail.SlowBackend"
