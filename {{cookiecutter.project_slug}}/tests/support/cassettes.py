"""vcrpy cassettes: recorded answers of external APIs, replayed offline.

Cassettes live in ``cassettes/`` beside the test module that uses them. The
record mode comes from ``VCR_RECORD_MODE`` and defaults to ``none``: a request
with no recorded answer fails the test instead of reaching the network (CI
never sets it). Secrets are scrubbed before anything is written, by name, with
one pattern for every place a credential travels: request and response headers
are dropped, query parameters and JSON fields keep their name with a redacted
value (replayed requests are scrubbed the same way, so they still match).
The README says how to record a new cassette.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import vcr
from vcr.request import Request

RECORD_MODES = ("none", "once", "new_episodes", "all")
# What a credential is called, wherever it travels: one list in one place.
SECRET_NAME = re.compile(
    r"token|secret|passw|key|auth|cookie|session|signature|credential", re.IGNORECASE
)
REDACTED = "REDACTED"
# Cassettes ship verbatim in every project made from the template, so the
# User-Agent (which names the service that recorded them) is replaced by one
# naming none. Replay never matches on headers: nothing is lost.
RECORDED_USER_AGENT = "recorded-client"


def record_mode() -> str:
    mode = os.environ.get("VCR_RECORD_MODE", "none")
    if mode not in RECORD_MODES:
        raise ValueError(f"VCR_RECORD_MODE={mode!r} is not one of {', '.join(RECORD_MODES)}.")
    return mode


def _redact(value: Any) -> Any:
    """``value`` with every field named like a credential redacted, at any depth."""
    if isinstance(value, dict):
        return {
            key: REDACTED if SECRET_NAME.search(str(key)) else _redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact(item) for item in value]
    return value


def _scrub_json(body: bytes | str | None) -> bytes | str | None:
    """A JSON body with its credential fields redacted; any other body as it was."""
    if not body:
        return body
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    scrubbed = _redact(parsed)
    return body if scrubbed == parsed else json.dumps(scrubbed).encode()


def scrub_request(request: Request) -> Request:
    """Drop credential headers, redact credential query parameters and JSON fields."""
    for name in [name for name in request.headers if SECRET_NAME.search(name)]:
        del request.headers[name]
    if "User-Agent" in request.headers:
        request.headers["User-Agent"] = RECORDED_USER_AGENT
    parts = urlsplit(request.uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(SECRET_NAME.search(name) for name, _ in query):
        redacted = [
            (name, REDACTED if SECRET_NAME.search(name) else value) for name, value in query
        ]
        request.uri = parts._replace(query=urlencode(redacted)).geturl()
    request.body = _scrub_json(request.body)
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop cookies and credential headers, redact credential JSON fields."""
    headers = {
        name: values for name, values in response["headers"].items() if not SECRET_NAME.search(name)
    }
    body = response["body"]["string"]
    scrubbed = _scrub_json(body)
    if scrubbed is not body and isinstance(scrubbed, bytes):
        response["body"]["string"] = scrubbed
        for name in headers:
            if name.lower() == "content-length":
                headers[name] = [str(len(scrubbed))]
    response["headers"] = headers
    return response


def recorder(test_file: str, *, mode: str | None = None) -> vcr.VCR:
    """A VCR keeping its cassettes in cassettes/ beside `test_file`.

    Requests match on method, path and query, not on host: the same cassette
    replays whatever base URL the settings point at.
    """
    return vcr.VCR(
        cassette_library_dir=str(Path(test_file).parent / "cassettes"),
        record_mode=mode or record_mode(),
        match_on=("method", "path", "query"),
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
    )
