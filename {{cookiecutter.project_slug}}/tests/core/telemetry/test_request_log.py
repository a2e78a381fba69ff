"""The request log as production writes it (JSON), read back by ``manage.py route_report``.

And development's version of it: readable text, one line per request even
with the debug toolbar on, whose Server-Timing keeps the project's entries.
"""

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils.module_loading import import_string

from {{ cookiecutter.project_slug }}.core.telemetry.request_id import RequestIdFilter

from tests.support import list_and_create
from tests.support.processes import child_environment, python_child

ME = "/api/v1/me"  # in every project: the example shop is optional


def json_formatter() -> logging.Formatter:
    """The formatter production's handler uses (config/settings/logging.py)."""
    spec = dict(settings.LOGGING["formatters"]["json"])
    formatter: logging.Formatter = import_string(spec.pop("()"))(**spec)
    return formatter


@contextmanager
def production_log() -> Iterator[list[dict[str, Any]]]:
    """The request lines written meanwhile, through production's formatter and filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())  # at emit time, inside the request, as in production
    lines: list[dict[str, Any]] = []
    logging.getLogger().addHandler(handler)
    try:
        yield lines
    finally:
        logging.getLogger().removeHandler(handler)
    parsed = [json.loads(line) for line in stream.getvalue().splitlines()]
    lines += [line for line in parsed if line.get("event") == "request"]


@pytest.mark.django_db
def test_production_writes_one_json_object_per_request(client: Client) -> None:
    with production_log() as lines:
        client.get(ME, headers={"X-Request-ID": "lb-42"})
    (line,) = lines
    assert {key: line[key] for key in ("route", "method", "status", "request_id")} == {
        "route": "api/v1/me",
        "method": "GET",
        "status": 401,
        "request_id": "lb-42",
    }
    assert {"time", "level", "logger", "message", "duration_ms", "db_ms", "queries"} <= set(line)
    assert {"cache_hits", "cache_misses"} <= set(line)


def report(log: Path) -> str:
    out = io.StringIO()
    call_command("route_report", str(log), stdout=out)
    return out.getvalue()


def request_line(
    route: str, duration_ms: float, queries: int, status: int = 200, method: str = "GET"
) -> str:
    fields = {"event": "request", "route": route, "status": status, "queries": queries}
    return json.dumps({**fields, "duration_ms": duration_ms, "method": method})


def rows(section: str) -> list[str]:
    """The rows of one ranking, in order: method and route."""
    return [" ".join(line.split()[:2]) for line in section.strip().splitlines()[2:]]


def test_routes_are_ranked_by_total_time_p95_and_queries(tmp_path: Path) -> None:
    """Each ranking has its own leader: the busiest route is neither the slowest nor the costliest.

    Total time is count x mean, so a ranking by count alone, or by latency alone,
    would put another route first.
    """
    log = tmp_path / "requests.log"
    lines = [request_line("api/v1/often", 2, 1) for _ in range(100)]  # busiest: 200 ms in all
    lines += [request_line("api/v1/heavy", 50, 3) for _ in range(10)]  # 500 ms: the most in all
    lines += [request_line("api/v1/slow", 300, 2)]  # slowest: 300 ms once
    lines += [request_line("api/v1/chatty", 1, 30, status=500)]
    lines += ["[gunicorn] Booting worker", json.dumps({"event": "task", "task": "x"})]
    log.write_text("\n".join(lines) + "\n")
    text = report(log)
    assert text.startswith("112 requests on 4 routes (2 other lines).")
    by_total, by_p95, by_queries = text.split("\nBy ")[1:]
    assert rows(by_total) == [
        "GET api/v1/heavy",
        "GET api/v1/slow",
        "GET api/v1/often",
        "GET api/v1/chatty",
    ]
    assert rows(by_p95) == [
        "GET api/v1/slow",
        "GET api/v1/heavy",
        "GET api/v1/often",
        "GET api/v1/chatty",
    ]
    assert rows(by_queries)[0] == "GET api/v1/chatty"
    heavy = next(line for line in by_total.splitlines() if line.startswith("GET api/v1/heavy"))
    assert heavy.split()[2:5] == ["10", "0", "0.50"]  # requests, 5xx, total seconds


@pytest.mark.urls(list_and_create.__name__)
def test_a_list_and_a_create_on_one_path_are_ranked_apart_each_with_its_budget(
    tmp_path: Path,
) -> None:
    log = tmp_path / "requests.log"
    lines = [request_line("api/orders", 5, 3) for _ in range(4)]
    lines += [request_line("api/orders", 50, 8, method="POST")]
    log.write_text("\n".join(lines) + "\n")
    by_total = report(log).split("\nBy ")[1]
    budgets = {" ".join(line.split()[:2]): line.split()[-1] for line in by_total.splitlines()[2:]}
    assert budgets == {
        "POST api/orders": str(list_and_create.CREATE_BUDGET),
        "GET api/orders": str(list_and_create.LIST_BUDGET),
    }


@pytest.mark.django_db
def test_the_report_reads_the_lines_the_middleware_writes(client: Client, tmp_path: Path) -> None:
    with production_log() as lines:
        for _ in range(3):
            client.get(ME)
    log = tmp_path / "requests.log"
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))
    text = report(log)
    assert text.startswith("3 requests on 1 routes")
    assert rows(text.split("\nBy ")[1]) == ["GET api/v1/me"]


def test_a_log_without_request_lines_is_a_clear_error(tmp_path: Path) -> None:
    log = tmp_path / "text.log"
    log.write_text("2026-01-01 INFO svc GET /api/v1/me 401\n")
    with pytest.raises(CommandError, match="DJANGO_LOG_FORMAT=json"):
        report(log)
    with pytest.raises(CommandError, match="Cannot read the log"):
        report(tmp_path / "missing.log")


@pytest.mark.processes
@pytest.mark.django_db
def test_development_prints_each_request_once_and_keeps_server_timing() -> None:
    # A fresh process on the local settings: the debug toolbar on, logging as configured.
    code = (
        "from django.test import Client\n"
        f"response = Client().get({ME!r}, HTTP_HOST='127.0.0.1')\n"
        "print(response.status_code, response.headers.get('Server-Timing'))\n"
    )
    child = python_child(
        code, env=child_environment(DJANGO_SETTINGS_MODULE="config.settings.local")
    )
    assert child.returncode == 0, child.stderr
    status, timing = child.stdout.strip().split(" ", 1)
    assert status == "401"
    entries = {entry.split(";")[0].strip() for entry in timing.split(",")}
    assert {"total", "db", "SQLPanel_sql_time"} <= entries, (
        timing
    )  # the project's and the toolbar's
    assert 'db;dur=0.0;desc="0 queries"' in timing
    request_lines = [line for line in child.stderr.splitlines() if ME in line]
    assert len(request_lines) == 1, child.stderr
    assert request_lines[0].split()[2] == "INFO", "readable text, not JSON"
