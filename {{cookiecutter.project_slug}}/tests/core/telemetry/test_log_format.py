"""core/telemetry/log_format.py: one JSON object per line, the record's own fields after the four."""

import json
import logging
import re
import sys

from {{ cookiecutter.project_slug }}.core.telemetry.log_format import JsonFormatter


def record(**extra: object) -> logging.LogRecord:
    return logging.getLogger("{{ cookiecutter.project_slug }}.tests").makeRecord(
        "{{ cookiecutter.project_slug }}.tests", logging.WARNING, __file__, 1, "%s went %s", ("it", "wrong"), None,
        extra=extra,
    )  # fmt: skip


def test_a_line_has_time_level_logger_message_then_its_fields() -> None:
    line = json.loads(JsonFormatter().format(record(route="api/v1/me", status=200, _private=1)))
    assert list(line) == ["time", "level", "logger", "message", "route", "status"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}", line["time"])
    assert (line["level"], line["logger"], line["message"]) == (
        "WARNING",
        "{{ cookiecutter.project_slug }}.tests",
        "it went wrong",
    )
    assert (line["route"], line["status"]) == ("api/v1/me", 200)


def fail() -> None:
    raise RuntimeError("boom")


def test_a_traceback_and_a_value_json_cannot_encode_are_kept_as_text() -> None:
    try:
        fail()
    except RuntimeError:
        failed = record(request=object())
        failed.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(failed))
    assert "RuntimeError: boom" in line["exc_info"]
    assert line["request"].startswith("<object object at")
