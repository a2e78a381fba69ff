"""Settings of the worker that tests/shop/test_worker.py starts: one mail is held on cue."""

from config.settings.mail import MAILERS_SUPPORTED
from config.settings.test import *  # noqa: F403

if MAILERS_SUPPORTED:
    MAILERS = {"default": {"BACKEND": "tests.shop.mail.VictimBackend"}}
else:
    EMAIL_BACKEND = "tests.shop.mail.VictimBackend"
