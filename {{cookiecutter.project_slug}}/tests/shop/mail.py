"""Mail backends for the shop's task tests: one that fails on cue, one that holds a mail on cue."""

import os
import time
from collections.abc import Sequence
from pathlib import Path
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


class VictimBackend(BaseEmailBackend):
    """Sends nothing; holds the first mail to VICTIM until the test kills the process sending it.

    That first attempt writes its process id to TEST_MAIL_MARKER, so the test
    knows which pool process is in the middle of a task; any later attempt
    (the redelivery) sends at once. Bounded: it gives up holding after HOLD_SECONDS.
    """

    VICTIM = "victim@example.com"
    HOLD_SECONDS = 30

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        marker = Path(os.environ["TEST_MAIL_MARKER"])
        victim = any(self.VICTIM in message.to for message in email_messages)
        if victim and not marker.exists():
            marker.write_text(str(os.getpid()))
            time.sleep(self.HOLD_SECONDS)
        return len(email_messages)
