"""One id per request, on every log line it causes and in every task it enqueues.

Why: a slow or failed request is found by its id in the load balancer's log,
this service's log lines and its Celery tasks' lines alike. The proxy's
``X-Request-ID`` is kept when it looks like an id (so the id spans services);
otherwise, or when absent, a new one is made. The response echoes it.
"""

import logging
import random
import re
from contextvars import ContextVar, Token

# The HTTP header a proxy sends the id in, and the response echoes.
REQUEST_ID_HEADER = "X-Request-ID"
# The same header in request.META: read there, no header map is built for it.
REQUEST_ID_META = "HTTP_X_REQUEST_ID"
# What a proxy's id may look like: a UUID, a hex or base64url token. Anything
# else (too long, spaces, quotes) could forge log lines, so it is replaced.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,128}")

_current: ContextVar[str] = ContextVar("request_id", default="")


def request_id_for(header_value: str | None) -> str:
    """The proxy's id when acceptable, else a new one."""
    if header_value and _ACCEPTED.fullmatch(header_value):
        return header_value
    # 32 hex digits, as a UUID's. An id is a label, not a secret: no system call for
    # random bytes on every request (Python reseeds `random` in a forked worker).
    return f"{random.getrandbits(128):032x}"


def current() -> str:
    """The id of the request or task running now ("" outside both)."""
    return _current.get()


def bind(request_id: str) -> Token[str]:
    """Make ``request_id`` current; returns the token that ``unbind`` takes."""
    return _current.set(request_id)


def unbind(token: Token[str]) -> None:
    _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record, so any line can be traced to its request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get() or "-"
        return True
