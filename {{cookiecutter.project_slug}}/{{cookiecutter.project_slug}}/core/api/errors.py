"""One JSON error shape for the whole API: ``{"error": "<code>", "detail": ...}``.

Why: a client handles an error by its code, whatever raised it (validation,
authentication, a missing row, a throttle, a crash); an HTML page or a bare
string is something it cannot parse, and a traceback tells an attacker about
the internals. ``install`` puts the handlers on the NinjaAPI instance for what
its operations raise; ``reshape``, which the API's middleware
(core/api/middleware.py) runs, gives the same shape to what happens outside them (an unknown path, a method not allowed, a crash Django
turned into its 500 page). A 500 says only that something went wrong; the
details go to the log (and to Sentry) through Django's usual handling.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from ninja import NinjaAPI, Schema
from ninja.errors import (
    AuthenticationError,
    HttpError,
    Throttled,
    ValidationError,
    ValidationErrorContext,
)

logger = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "throttled",
    500: "internal_error",
    503: "unavailable",
}
DETAILS = {
    401: "Authentication required: send Authorization: Bearer <API key>.",
    404: "Not found.",
    405: "Method not allowed.",
    500: "Internal server error.",
    503: "The database is unavailable or too slow right now; retry shortly.",
}
# Seconds a client is told to wait after a 503: long enough for a pool to reconnect.
RETRY_AFTER_UNAVAILABLE = 2


class ErrorOut(Schema):
    """Every error the API answers."""

    error: str
    detail: str | list[dict[str, Any]]


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error responses an operation declares in its OpenAPI schema."""
    return dict.fromkeys(statuses, ErrorOut)


# What every operation may answer, whatever it does.
ERROR_RESPONSES = errors(400, 404, 422, 500, 503)
# What a write may answer besides.
WRITE_ERRORS = {**ERROR_RESPONSES, **errors(401, 403, 409, 413, 415, 429)}


class ApiError(HttpError):
    """An error with a code of its own, e.g. ``ApiError(409, "out_of_stock", "...")``."""

    def __init__(self, status_code: int, code: str, detail: str) -> None:
        super().__init__(status_code, detail)
        self.code = code


def error_body(status: int, detail: Any = None, code: str | None = None) -> bytes:
    body = {
        "error": code or CODES.get(status, "error"),
        "detail": DETAILS.get(status, "Request failed.") if detail is None else detail,
    }
    return json.dumps(body).encode()


def error_response(status: int, detail: Any = None, code: str | None = None) -> HttpResponse:
    return HttpResponse(
        error_body(status, detail, code), status=status, content_type="application/json"
    )


def field_errors(error: ValidationError) -> list[dict[str, Any]]:
    """Where and what, without echoing the input (it may be huge, or secret)."""
    return [
        {"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type", "")}
        for item in error.errors
    ]


def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(422, field_errors(exc))


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja wraps what the body parser raises in a 400; the parser's own error wins.
    cause = exc.__cause__
    if isinstance(cause, HttpError):
        exc = cause
    # ninja's own message for a missing or wrong credential says nothing of how to send one.
    detail = None if isinstance(exc, AuthenticationError) else str(exc)
    response = error_response(exc.status_code, detail, getattr(exc, "code", None))
    if isinstance(exc, Throttled) and exc.wait is not None:
        response["Retry-After"] = str(max(1, math.ceil(exc.wait)))
    return response


def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404)


def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(413, "The request body is too large.")


def on_database_unavailable(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """No connection (refused, pool exhausted) or a statement timeout: transient, so 503.

    A client retries a 503 after Retry-After; a 500 says the request itself is at fault.
    Logged as a warning: the health probes and metrics show the outage itself.
    """
    logger.warning("database unavailable for %s %s: %s", request.method, request.path, exc)
    response = error_response(503)
    response["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE)
    return response


def on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything else: Django logs it, signals it (Sentry) and answers 500; the middleware reshapes it."""
    raise exc


HANDLERS: dict[type[Exception], Callable[[HttpRequest, Any], HttpResponse]] = {
    ValidationError: on_validation_error,
    HttpError: on_http_error,
    Http404: on_not_found,
    RequestDataTooBig: on_too_big,
    OperationalError: on_database_unavailable,
    Exception: on_exception,
}


def install(api: NinjaAPI) -> None:
    """Answer every error an operation raises in the one shape."""
    for exception, handler in HANDLERS.items():
        api.add_exception_handler(exception, handler)


class ClientLocationsAPI(NinjaAPI):
    """A NinjaAPI whose 422 locations name what the client sent, not the Python parameter.

    An operation with one body parameter (``order_in: OrderIn``) reads the whole
    body into it, yet ninja reports ``["body", "order_in", "email"]``: the client
    never sent ``order_in``. Here it is ``["body", "email"]``, for every operation.
    With several body parameters the client does send each by name, and keeps it.
    """

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            # Set by ninja on the body model when that one parameter is the whole body.
            whole_body = getattr(context.model, "__read_from_single_attr__", None)
            for error in super().validation_error_from_error_contexts([context]).errors:
                location = tuple(error["loc"])
                if whole_body and location[:2] == ("body", whole_body):
                    error["loc"] = ("body", *location[2:])
                errors.append(error)
        return ValidationError(errors)


def reshape(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """An error response under settings.API_PREFIX that is not JSON, in the one shape.

    In DEBUG a 500 keeps Django's debug page.
    """
    if (
        response.status_code < 400
        or not request.path.startswith(settings.API_PREFIX)
        or response.get("Content-Type", "").startswith("application/json")
        or (settings.DEBUG and response.status_code >= 500)
    ):
        return response
    reshaped = error_response(response.status_code)
    for header in ("Allow", "Retry-After"):
        if header in response:
            reshaped[header] = response[header]
    return reshaped
