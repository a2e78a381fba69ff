"""Traces (OpenTelemetry): one request followed through web, worker, database, cache and calls out.

Why: a slow order is rarely slow in one place. A trace shows the request's
server span (named by its route pattern, never the raw path), each query
(psycopg) and cache call (Redis) under it, the task it enqueued (Celery's
publish span) and the task's run in the worker, and the calls out (requests),
whose ``traceparent`` header lets the peer service continue the same trace.

Configured only by the standard ``OTEL_*`` variables (config/settings/observability.py)
and off until ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set: then nothing is
instrumented and nothing runs per request but the log filter's look at the
current span (docs/tracing.md: what it costs). When on:

- the SDK starts in each process that serves, after its fork: each gunicorn
  worker (config/startup.py; the app is loaded after the fork) and each Celery
  pool process (config/celery.py, ``worker_process_init``), never in the
  gunicorn master or the Celery main process, whose exporter thread a fork
  would not carry over;
- a Celery pool process flushes its spans when it exits
  (``worker_process_shutdown``): it ends without running atexit handlers, so a
  task finished just before SIGTERM would otherwise lose its spans;
- sampling is parent-based (sampling.py): a service keeps or drops a trace as
  its caller did, so a trace is whole or absent, never a fragment; a trace
  starts only at a request, a task or a publish, never at a broker poll;
- spans go out over OTLP/HTTP in batches (a thread per process); the gRPC
  exporter is not used, its channels do not survive a fork;
- every log line of a traced request or task carries ``trace_id`` and
  ``span_id`` (``TraceContextFilter``) beside its ``request_id``.

The SDK, exporter and instrumentations are imported by ``start()`` only: a
process without a collector (every ``manage.py`` command, too) loads the API
alone, for the log filter.

Liveness and readiness probes are answered before the tracing middleware
(core/health/middleware.py comes first), so they make no traces; the metrics
ports are no Django views.
"""

from __future__ import annotations

import logging
import os

from django.conf import settings
from opentelemetry import trace

# The first middleware: probes it answers are never traced (it comes before the tracing one).
PROBE_MIDDLEWARE = "{{ cookiecutter.project_slug }}.core.health.middleware.ProbeMiddleware"
# How long a process that exits waits for its last spans to be sent.
FLUSH_MILLIS = 5000

_started = False


def instrument() -> None:
    """Instrument Django, psycopg, Redis, requests and Celery in this process, once.

    Before the first request loads the middleware: Django's instrumentation
    inserts its middleware into settings.MIDDLEWARE, right after the probes'.
    """
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor

    # The stable attribute names (http.request.method, db.query.text ...), which
    # current backends expect; read by each instrumentation when it is set up.
    os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "http,database")
    middleware = list(settings.MIDDLEWARE)
    after_probes = middleware.index(PROBE_MIDDLEWARE) + 1 if PROBE_MIDDLEWARE in middleware else 0
    DjangoInstrumentor().instrument(middleware_position=after_probes)
    PsycopgInstrumentor().instrument()
    RedisInstrumentor().instrument()
    # Every outbound call, the sessions of core/http included: a span and a traceparent header.
    RequestsInstrumentor().instrument()
    # Publish spans where tasks are sent, run spans where they run; the trace context
    # travels in the message headers.
    CeleryInstrumentor().instrument()  # type: ignore[no-untyped-call]


def start() -> bool:
    """Start the SDK in this process when an endpoint is configured; False when tracing is off.

    Called once per serving process, after its fork; a second call does nothing.
    """
    global _started  # noqa: PLW0603 (one SDK per process)
    if not settings.TRACES_ENABLED:
        return False
    if _started:
        return True
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from {{ cookiecutter.project_slug }}.core.telemetry.sampling import sampler

    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: settings.TRACES_SERVICE_NAME}),
        sampler=sampler(settings.TRACES_SAMPLER, settings.TRACES_SAMPLER_RATIO),
    )
    # Given explicitly: the values may come from .env, which the SDK does not read.
    exporter = OTLPSpanExporter(endpoint=settings.TRACES_ENDPOINT.rstrip("/") + "/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    instrument()
    _started = True
    return True


def flush() -> None:
    """Send the spans this process still holds (a pool process about to exit)."""
    from opentelemetry.sdk.trace import TracerProvider

    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush(FLUSH_MILLIS)


class TraceContextFilter(logging.Filter):
    """Adds ``trace_id`` and ``span_id`` to each line logged inside a sampled span.

    A line then leads to its trace, as ``request_id`` leads to the request's
    other lines. Lines outside a span, or in a trace the sampler dropped (a
    trace id that leads nowhere), get neither.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.trace_flags.sampled:
            record.trace_id = trace.format_trace_id(context.trace_id)
            record.span_id = trace.format_span_id(context.span_id)
        return True
