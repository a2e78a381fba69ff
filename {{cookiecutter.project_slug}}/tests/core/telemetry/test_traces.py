"""core/telemetry/traces.py: a request's spans, its log lines, its tasks and calls out in one trace.

The spans are recorded in memory (tests/support/traces.py) by the same
instrumentations the service sets up; the task is taken off the real broker and
run by Celery's worker ``Request``, as a worker does; the call out reaches a
loopback peer that records the headers it was sent.
"""

import importlib
import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from celery.worker.request import Request
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.test import AsyncClient, Client
from django.utils.module_loading import import_string
from opentelemetry import trace
from opentelemetry.sdk.trace.sampling import Decision
from opentelemetry.trace import SpanContext, SpanKind, TraceFlags

from {{ cookiecutter.project_slug }}.core.http.sessions import http_session
from {{ cookiecutter.project_slug }}.core.telemetry import sampling, traces

from config import env
from config.celery import app as celery_app
from config.settings import observability

from tests.support.broker import queue_take_raw
from tests.support.loopback import Reply, http_server
from tests.support.processes import child_environment, python_child
from tests.support.tasks import registered_task
from tests.support.traces import Spans, context_of, span_id_of, trace_id_of

ME = "/api/v1/me"  # in every project: the example shop is optional


@contextmanager
def production_log() -> Iterator[list[dict[str, Any]]]:
    """Every line written meanwhile, through production's handler: its formatter and filters."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(import_string(settings.LOGGING["formatters"]["json"]["()"])())
    for name in settings.LOGGING["handlers"]["stderr"]["filters"]:
        handler.addFilter(import_string(settings.LOGGING["filters"][name]["()"])())
    lines: list[dict[str, Any]] = []
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    lines += [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
def test_a_request_is_a_server_span_named_by_its_route_with_its_queries(
    client: Client, api_headers: dict[str, str], spans: Spans
) -> None:
    client.get(ME, headers=api_headers)
    server = spans.named("GET api/v1/me")
    assert server.kind == SpanKind.SERVER
    queries = [span for span in spans.children(server) if span.kind == SpanKind.CLIENT]
    assert queries, f"no query under the request: {spans.names()}"
    assert all((span.attributes or {}).get("db.system.name") == "postgresql" for span in queries)


@pytest.mark.django_db
def test_under_asgi_too(api_headers: dict[str, str], spans: Spans) -> None:
    """The ASGI handler (make run-asgi, uvicorn's workers): the same span, its queries under it."""
    response = async_to_sync(AsyncClient().get)(ME, headers=api_headers)
    assert response.status_code == 200
    server = spans.named("GET api/v1/me")
    assert any(span.kind == SpanKind.CLIENT for span in spans.children(server)), spans.names()


@pytest.mark.django_db
def test_an_unknown_path_is_named_by_its_method_only(client: Client, spans: Spans) -> None:
    client.get("/no/such/page/12345")
    (server,) = [span for span in spans.finished() if span.kind == SpanKind.SERVER]
    assert server.name == "GET", "a raw path would make every URL a span name of its own"


@pytest.mark.django_db
def test_probes_are_not_traced(client: Client, spans: Spans) -> None:
    assert client.get("/health/live").status_code == 200
    client.get("/health/ready")
    assert [span for span in spans.finished() if span.kind == SpanKind.SERVER] == []


@pytest.mark.django_db
def test_each_log_line_of_a_request_carries_its_trace(
    client: Client, api_headers: dict[str, str], spans: Spans
) -> None:
    with production_log() as lines:
        client.get(ME, headers={**api_headers, "X-Request-ID": "lb-4242"})
    server = spans.named("GET api/v1/me")
    (line,) = [line for line in lines if line.get("event") == "request"]
    assert line["request_id"] == "lb-4242", "the request id stays beside the trace"
    assert line["trace_id"] == trace_id_of(server)
    assert line["span_id"] == span_id_of(server)


def test_a_line_outside_any_span_has_no_trace_id() -> None:
    with production_log() as lines:
        logging.getLogger("{{ cookiecutter.project_slug }}.tests").warning("no request")
    (line,) = lines
    assert "trace_id" not in line
    assert "span_id" not in line


def counting() -> int:
    return Group.objects.filter(pk=1).count()


@pytest.mark.django_db
@pytest.mark.usefixtures("task_queue")
def test_a_task_runs_in_the_trace_of_the_request_that_sent_it(spans: Spans) -> None:
    """Published under a span, taken off the broker and run: publish and run spans, one trace."""
    with registered_task(counting) as task:
        with trace.get_tracer(__name__).start_as_current_span("a request") as sender:
            task.delay()
        (message,) = queue_take_raw()
        with production_log() as lines:
            Request(message, app=celery_app, task=task).execute()
    publish = spans.named(f"apply_async/{task.name}")
    run = spans.named(f"run/{task.name}")
    sent_in = trace.format_trace_id(sender.get_span_context().trace_id)
    assert trace_id_of(publish) == trace_id_of(run) == sent_in
    assert run.parent is not None
    assert run.parent.span_id == context_of(publish).span_id
    assert any(
        span.parent and span.parent.span_id == context_of(run).span_id for span in spans.finished()
    ), "the task's query is a child of its run span"
    (line,) = [line for line in lines if line.get("event") == "task"]
    assert line["trace_id"] == sent_in, "the task's log line leads to the trace"


@pytest.mark.django_db
def test_a_call_out_carries_the_trace_to_the_peer(spans: Spans) -> None:
    with (
        http_server(lambda _: Reply(200, b"{}")) as peer,
        trace.get_tracer(__name__).start_as_current_span("a request") as caller,
    ):
        http_session(retries=0).get(peer.url)
    (seen,) = peer.seen
    version, trace_id, parent_id, _flags = seen.headers["traceparent"].split("-")
    assert version == "00"
    assert trace_id == trace.format_trace_id(caller.get_span_context().trace_id)
    (call,) = [span for span in spans.finished() if span.kind == SpanKind.CLIENT]
    assert parent_id == span_id_of(call)


def sampled_parent(sampled: bool) -> Any:
    flags = TraceFlags(TraceFlags.SAMPLED if sampled else TraceFlags.DEFAULT)
    context = SpanContext(trace_id=0xABC, span_id=0xDEF, is_remote=True, trace_flags=flags)
    return trace.set_span_in_context(trace.NonRecordingSpan(context))


@pytest.mark.parametrize("sampled", [True, False])
def test_a_caller_decides_whether_its_trace_is_kept(sampled: bool) -> None:
    """Whatever the ratio here, a trace is kept or dropped whole across services."""
    for ratio in (0.0, 1.0):
        decision = (
            sampling.sampler("parentbased_traceidratio", ratio)
            .should_sample(sampled_parent(sampled), 0x1234, "GET api/v1/me")
            .decision
        )
        assert decision == (Decision.RECORD_AND_SAMPLE if sampled else Decision.DROP)


def test_a_lone_query_or_broker_poll_starts_no_trace() -> None:
    """A worker polling a Redis broker every second would otherwise make a trace a second."""
    kept = sampling.sampler("parentbased_always_on", 1.0)
    client = kept.should_sample(None, 0x1234, "BRPOP", SpanKind.CLIENT).decision
    server = kept.should_sample(None, 0x1234, "GET api/v1/me", SpanKind.SERVER).decision
    assert (client, server) == (Decision.DROP, Decision.RECORD_AND_SAMPLE)


def test_a_trace_started_here_is_kept_at_the_configured_ratio() -> None:
    kept = sampling.sampler("parentbased_traceidratio", 0.1)
    decisions = [
        kept.should_sample(None, trace_id, "GET api/v1/me").decision == Decision.RECORD_AND_SAMPLE
        for trace_id in range(1, 2**64, 2**64 // 1000)
    ]
    assert 50 < sum(decisions) < 150


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318"),
        ("OTEL_TRACES_SAMPLER", "always_on"),
        ("OTEL_TRACES_SAMPLER_ARG", "10"),
        ("OTEL_SDK_DISABLED", "yes"),
    ],
)
def test_a_bad_tracing_variable_stops_the_start_naming_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    """always_on is refused too: a service that ignored its caller's decision would split traces."""
    monkeypatch.setattr(env, "_problems", [])
    monkeypatch.setenv(variable, value)
    importlib.reload(observability)
    with pytest.raises(ImproperlyConfigured, match=f"{variable}={value!r} is invalid"):
        env.check()
    monkeypatch.undo()
    importlib.reload(observability)


START = "from config import startup\nstartup.start('wsgi')\n"
REPORT = (
    "import sys\n"
    "from django.conf import settings\n"
    "from opentelemetry import trace\n"
    "print(type(trace.get_tracer_provider()).__name__)\n"
    "print(settings.MIDDLEWARE[settings.MIDDLEWARE.index(traces.PROBE_MIDDLEWARE) + 1])\n"
    "print('opentelemetry.sdk.trace' in sys.modules)\n"
)


@pytest.mark.processes
@pytest.mark.parametrize(
    ("tracing", "provider", "after_probes", "sdk_loaded"),
    [
        ({}, "ProxyTracerProvider", "RequestTelemetryMiddleware", "False"),
        (
            {"OTEL_SDK_DISABLED": "true"},
            "ProxyTracerProvider",
            "RequestTelemetryMiddleware",
            "False",
        ),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"},
            "TracerProvider",
            "_DjangoMiddleware",
            "True",
        ),
    ],
)
def test_tracing_is_off_until_an_endpoint_is_set(
    tracing: dict[str, str], provider: str, after_probes: str, sdk_loaded: str
) -> None:
    """Off: no SDK (not even imported), no tracing middleware, no instrumented library.
    On: the tracing middleware right after the probes' one."""
    code = f"import {traces.__name__} as traces\n" + START + REPORT
    child = python_child(code, env=child_environment(**tracing))
    assert child.returncode == 0, child.stderr
    reported_provider, next_middleware, reported_sdk = child.stdout.split()
    assert reported_provider == provider
    assert next_middleware.endswith(after_probes)
    assert reported_sdk == sdk_loaded
