"""Mail backends for the shop's task tests: one that fails on cue, one that takes a moment."""

import os
import time
from collections.abc import Sequence
from typing import ClassVar

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class FlakyBackend(BaseEmailBackend):
    """Raises the queued errors, one per send, then delivers to mail.outbox."""

    errors: ClassVar[list[Exception]] = []
    attempts: ClassVar[int] = 0

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        FlakyBackend.attempts += 1
        if FlakyBackend.errors:
            raise FlakyBackend.errors.pop(0)
        mail.outbox.extend(email_messages)
        return len(email_messages)


class SlowBackend(BaseEmailBackend):
    """Sends nothing, in TEST_MAIL_SECONDS: lets the worker test kill a worker mid-run."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        time.sleep(float(os.environ["TEST_MAIL_SECONDS"]))
        return len(email_messages)
