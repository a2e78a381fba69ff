"""A staff session ends STAFF_SESSION_SECONDS after login and after STAFF_SESSION_IDLE_SECONDS idle.

Why: an admin session left open on a shared or stolen laptop is a way in
that needs no password. Django rotates the session key at login and ends the
other sessions of a user whose password changes; it has no idle limit. The
times are kept in the session itself and checked where a staff session is
used (the admin site, the API's browser sessions), never on the API key
requests. The last-seen time is written at most once per tenth of the idle
limit (and per minute at most), so a busy admin page does not write the
session on every request.
"""

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

LOGGED_IN_AT = "staff_logged_in_at"
SEEN_AT = "staff_seen_at"


def staff_session_current(request: HttpRequest) -> bool:
    """Whether the request's session may go on; one past its age or idle limit is ended here."""
    session = request.session
    now = time.time()
    logged_in_at = session.get(LOGGED_IN_AT)
    if logged_in_at is None:  # a session from before these limits: they start now
        session[LOGGED_IN_AT] = session[SEEN_AT] = now
        return True
    seen_at = session.get(SEEN_AT, logged_in_at)
    if (
        now - logged_in_at > settings.STAFF_SESSION_SECONDS
        or now - seen_at > settings.STAFF_SESSION_IDLE_SECONDS
    ):
        # Ended as a logout ends it, without the logout signal: nobody logged out.
        request.session.flush()
        request.user = AnonymousUser()
        return False
    if now - seen_at > min(60, settings.STAFF_SESSION_IDLE_SECONDS / 10):
        session[SEEN_AT] = now
    return True


@receiver(user_logged_in)
def _session_started(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LOGGED_IN_AT] = request.session[SEEN_AT] = time.time()
