"""vcrpy cassettes: recorded answers of external APIs, replayed offline.

Cassettes live in ``cassettes/`` beside the test module that uses them. The
record mode comes from ``VCR_RECORD_MODE`` and defaults to ``none``: a request
with no recorded answer fails the test instead of reaching the network (CI
never sets it). Secrets are scrubbed before anything is written: request
credentials by ``filter_headers``, response cookies by ``scrub_response``.
The README says how to record a new cassette.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import vcr

RECORD_MODES = ("none", "once", "new_episodes", "all")
SCRUBBED_REQUEST_HEADERS = ("authorization", "cookie", "proxy-authorization", "x-api-key")
SCRUBBED_RESPONSE_HEADERS = frozenset({"set-cookie"})


def record_mode() -> str:
    mode = os.environ.get("VCR_RECORD_MODE", "none")
    if mode not in RECORD_MODES:
        raise ValueError(f"VCR_RECORD_MODE={mode!r} is not one of {', '.join(RECORD_MODES)}.")
    return mode


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop cookies (sessions, tokens) from a response before it is recorded."""
    response["headers"] = {
        name: values
        for name, values in response["headers"].items()
        if name.lower() not in SCRUBBED_RESPONSE_HEADERS
    }
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
        filter_headers=SCRUBBED_REQUEST_HEADERS,
        before_record_response=scrub_response,
        decode_compressed_response=True,
    )
