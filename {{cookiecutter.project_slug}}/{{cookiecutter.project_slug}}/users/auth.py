"""How API clients prove who they are: an API key, or a logged-in browser session.

``ApiKeyAuth`` reads ``Authorization: Bearer <key>`` (users/keys.py checks it).
``BrowserSession`` accepts a logged-in session (within its age and idle
limits, core/access/sessions.py) and enforces CSRF, as any
cookie-authenticated write must: a page on another site could otherwise post
with the user's cookies. A request with neither is answered 401 by the API,
saying how to send a key; a key sent and refused gets a 401 saying so, so a
client with a wrong, revoked or mistyped key is not told to send what it sent.
"""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from {{ cookiecutter.project_slug }}.core.access.sessions import staff_session_current
from {{ cookiecutter.project_slug }}.core.api.errors import ApiError
from {{ cookiecutter.project_slug }}.users.keys import api_key_authenticate
from {{ cookiecutter.project_slug }}.users.models import ApiKey

KEY_NOT_ACCEPTED = (
    "The API key was not accepted: it is unknown, revoked, or its user is inactive. "
    "Check the key, or ask for a new one."
)


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiKey:
        api_key = api_key_authenticate(token)
        if api_key is None:
            # Not None: a refused key ends authentication here (no session fallback) and
            # says it was refused. Which reason is not told: it would help a key guesser.
            raise ApiError(401, "unauthorized", KEY_NOT_ACCEPTED)
        request.user = api_key.user  # throttles and services see the key's user
        return api_key


class BrowserSession(SessionAuth):
    """Session authentication for logged-in browsers only, CSRF enforced.

    ninja's SessionAuth checks CSRF before it looks at the session, so a client
    with no session at all would get 403 instead of 401; here it is not this
    scheme's client at all.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        # A staff session past its age or idle limit ends here as in the admin.
        if not staff_session_current(request):
            return None
        return super().__call__(request)


# What every write accepts: a key first (API clients), then a browser session.
WRITE_AUTH = [ApiKeyAuth(), BrowserSession()]
