"""One JSON object per log line: time, level, logger, message, then the record's own fields.

Why not a general JSON formatter library: this runs for every request's line,
and a general one walks a list of options per record (renames, static and
required fields, an encoder object per call) that this format never uses; the
timestamp is made once per second here, not per line. Same output as before:
``{"time": "2026-01-31 12:00:00,123", "level": "INFO", "logger": "...",
"message": "...", <each field given in extra=...>}``, with ``exc_info`` (the
formatted traceback) and ``stack_info`` when present; a value JSON cannot
encode is written as its ``str``. Fields whose name starts with ``_`` are
left out.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

# What every LogRecord carries: never repeated as a field of its own.
STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__()
        self._stamp: tuple[int, str] = (-1, "")

    def _time(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        stamp = self._stamp  # one read: another thread may replace it meanwhile
        if stamp[0] != second:
            stamp = (second, time.strftime("%Y-%m-%d %H:%M:%S", self.converter(second)))
            self._stamp = stamp
        return f"{stamp[1]},{int(record.msecs):03d}"

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "time": self._time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields.update(
            (key, value)
            for key, value in record.__dict__.items()
            if key not in STANDARD_ATTRIBUTES and not key.startswith("_")
        )
        if record.exc_info:
            fields["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            fields["exc_info"] = record.exc_text
        if record.stack_info:
            fields["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(fields, default=str)
