"""How API clients prove who they are: an API key, or a logged-in browser session.

``ApiKeyAuth`` reads ``Authorization: Bearer <key>`` (users/keys.py checks it).
``BrowserSession`` accepts a logged-in session and enforces CSRF, as any
cookie-authenticated write must: a page on another site could otherwise post
with the user's cookies. A request with neither is answered 401 by the API.
"""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from {{ cookiecutter.project_slug }}.users.keys import api_key_authenticate
from {{ cookiecutter.project_slug }}.users.models import ApiKey


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        api_key = api_key_authenticate(token)
        if api_key is not None:
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
        return super().__call__(request)


# What every write accepts: a key first (API clients), then a browser session.
WRITE_AUTH = [ApiKeyAuth(), BrowserSession()]
