"""One order through a real gunicorn worker and a real Celery worker: one trace at a collector.

The collector is a loopback OTLP/HTTP receiver (tests/support/otlp.py). The
server runs the production settings and the shipped gunicorn configuration;
the worker runs prefork, so both processes start their SDK after their fork
(config/startup.py, config/celery.py). Their JSON log lines carry the same
trace id, so a line leads to the trace and back.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}.shop.tasks import order_confirm

from tests.shop.test_production_server import order, product  # noqa: F401 (a fixture)
from tests.support.otlp import Collector, otlp_collector
from tests.support.processes import celery_worker, wait_until
from tests.support.servers import production_server

pytestmark = [
    pytest.mark.processes,
    pytest.mark.django_db(
        transaction=True,
        available_apps=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "{{ cookiecutter.project_slug }}.users",
            "{{ cookiecutter.project_slug }}.shop",
        ],
    ),
    pytest.mark.usefixtures("backends_up", "task_queue"),
]

# Spans leave each process in batches: every 200 ms here rather than every 5 s.
QUICK_BATCHES = {"OTEL_BSP_SCHEDULE_DELAY": "200"}


def json_lines(log: Path) -> list[dict[str, Any]]:
    texts = log.read_text(errors="replace").splitlines()
    return [json.loads(text) for text in texts if text.startswith("{")]


def traced(collector: Collector, *names: str) -> bool:
    return all(collector.named(name) for name in names)


def test_an_orders_spans_reach_the_collector_in_one_trace(
    tmp_path: Path,
    server_environment: dict[str, str],
    server_api_key: str,
    product: Any,  # noqa: F811 (the fixture imported above)
) -> None:
    server_log, worker_log = tmp_path / "gunicorn.log", tmp_path / "worker.log"
    request_span, run_span = "POST api/v1/orders", f"run/{order_confirm.name}"
    with otlp_collector() as collector:
        tracing = {"OTEL_EXPORTER_OTLP_ENDPOINT": collector.url, **QUICK_BATCHES}
        web = {**server_environment, **tracing, "OTEL_SERVICE_NAME": "orders-web"}
        web["DJANGO_LOG_LEVEL"] = "INFO"  # the request's own line
        with (
            production_server(web, log=server_log) as server,
            celery_worker(
                "--pool=prefork",
                "--concurrency=1",
                log=worker_log,
                loglevel="INFO",
                DJANGO_LOG_FORMAT="json",
                OTEL_SERVICE_NAME="orders-worker",
                PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
                **tracing,
            ),
        ):
            placed = order(server, server_api_key, product)
            assert placed.status == 201, placed.body
            wait_until(
                lambda: traced(
                    collector, request_span, f"apply_async/{order_confirm.name}", run_span
                ),
                "the request's, the publish's and the task's spans at the collector",
                [server_log, worker_log],
            )
        (request,) = collector.named(request_span)
        (run,) = collector.named(run_span)
    assert (request.service, run.service) == ("orders-web", "orders-worker")
    assert run.trace_id == request.trace_id
    in_trace = {span.service for span in collector.spans if span.trace_id == request.trace_id}
    assert in_trace == {"orders-web", "orders-worker"}
    queries = [s for s in collector.spans if s.trace_id == request.trace_id and s.parent_id]
    assert len(queries) > 3, "the queries and cache calls of both processes are in it"

    (request_line,) = [line for line in json_lines(server_log) if line.get("event") == "request"]
    assert request_line["trace_id"] == request.trace_id
    (task_line,) = [line for line in json_lines(worker_log) if line.get("event") == "task"]
    assert task_line["trace_id"] == request.trace_id
    assert task_line["request_id"] == request_line["request_id"], "the request id stays too"
