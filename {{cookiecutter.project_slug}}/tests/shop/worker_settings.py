"""Settings of the workers that tests/shop/test_worker.py starts: mail takes a moment."""

from config.settings.test import *  # noqa: F403

EMAIL_BACKEND = "tests.shop.mail.SlowBackend"
