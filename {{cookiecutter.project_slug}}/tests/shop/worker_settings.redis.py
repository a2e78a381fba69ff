"""Settings of the workers that tests/shop/test_worker.py starts: mail takes a moment.

Redis hands a killed worker's messages out again after the visibility timeout:
seconds here (test tasks take a fraction of one), 600 s in production, with a
restore sweep every second.
"""

from config.settings.test import *  # noqa: F403

EMAIL_BACKEND = "tests.shop.mail.SlowBackend"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
