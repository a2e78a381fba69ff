"""Settings of the worker that tests/shop/test_worker.py starts: one mail is held on cue."""

from config.settings.test import *  # noqa: F403

EMAIL_BACKEND = "tests.shop.mail.VictimBackend"
