"""The API's JSON body parser: bounded in size and in nesting before any schema sees it.

Why: ``json.loads`` of a body nested a few thousand levels deep raises
RecursionError, which would answer 500, and a schema error that echoes such an
input would fail again while being rendered. Bodies over API_MAX_BODY_BYTES
(config/settings/api.py) answer 413; nesting deeper than API_MAX_JSON_DEPTH
answers 400. Real clients never come near either bound. A body sent as anything
but JSON (a form, text/plain) answers 415 rather than being read as JSON: a
client that sends the wrong type learns it, instead of a 400 about JSON syntax
or, when the text happens to parse, a write it did not mean to make that way.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from ninja.parser import Parser
from ninja.types import DictStrAny

from {{ cookiecutter.project_slug }}.core.api.errors import ApiError


def nesting_depth(value: Any, *, limit: int) -> int:
    """How deep lists and objects nest in ``value``, counting stops just past ``limit``."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if not isinstance(item, dict | list):
            continue
        deepest = max(deepest, level)
        if deepest > limit:
            break
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, level + 1) for child in children)
    return deepest


def is_json(content_type: str) -> bool:
    """application/json, or a JSON-based type such as application/merge-patch+json."""
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


class BoundedJSONParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        limit: int = settings.API_MAX_BODY_BYTES
        if len(request.body) > limit:
            raise ApiError(413, "payload_too_large", f"The body is over {limit} bytes.")
        if not is_json(request.content_type or ""):
            raise ApiError(
                415,
                "unsupported_media_type",
                f"The body must be JSON, sent with Content-Type: application/json "
                f"(got {request.content_type or 'none'!r}).",
            )
        try:
            data = json.loads(request.body)
        except RecursionError:
            data = None
            depth = settings.API_MAX_JSON_DEPTH + 1
        except ValueError as error:
            raise ApiError(400, "bad_json", f"The body is not JSON: {error}.") from None
        else:
            depth = nesting_depth(data, limit=settings.API_MAX_JSON_DEPTH)
        if depth > settings.API_MAX_JSON_DEPTH:
            raise ApiError(
                400, "too_deep", f"The body nests deeper than {settings.API_MAX_JSON_DEPTH} levels."
            )
        return cast("DictStrAny", data)
