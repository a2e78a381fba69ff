"""Where local settings show the debug toolbar: on pages, and on API requests without a body.

Why not on an API request with a body: after the API has answered, the
toolbar's panels read the body again (the History panel parses it as JSON,
the Request panel as a form). A body the API refused, over Django's upload
bound or nested too deep, raises again there, outside the API's error
handling, and its JSON 413 or 400 becomes Django's HTML 400 or 500: a client
tried against ``make run`` would meet answers production never gives. Without
a body there is nothing to read again, so API reads keep the SQL panel, the
history and their Server-Timing entries.
"""

from debug_toolbar.middleware import show_toolbar as show_toolbar_by_default
from django.conf import settings
from django.http import HttpRequest


def has_body(request: HttpRequest) -> bool:
    """Whether the request carries a body, by length or in chunks."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    return length != "0" or "Transfer-Encoding" in request.headers


def show_toolbar(request: HttpRequest) -> bool:
    """The toolbar's own rule (DEBUG, INTERNAL_IPS), minus API requests with a body."""
    if request.path.startswith(settings.API_PREFIX) and has_body(request):
        return False
    return show_toolbar_by_default(request)
