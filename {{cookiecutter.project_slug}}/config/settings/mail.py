"""Outgoing mail, bounded in time like every other network call.

Why: Django's SMTP backend waits forever on a silent server unless
EMAIL_TIMEOUT is set; a task sending mail would then hold its worker process
until the hard time limit.
"""

EMAIL_TIMEOUT = 10
