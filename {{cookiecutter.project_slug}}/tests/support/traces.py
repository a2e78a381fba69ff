"""Spans recorded in memory: the tracing of this test process, without a collector.

The SDK allows one tracer provider per process, so it is set once, at import
(tests/conftest.py imports this module before any test client loads the
middleware), with an exporter that keeps every finished span in a list. The
instrumentations are those the service uses (core/telemetry/traces.py). Only
a test that takes the ``spans`` fixture records: its sampler keeps every span
then and drops every span otherwise, so the rest of the suite pays for no
span it never reads (and its log lines carry no trace id). The list is emptied
before and after each such test.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanContext, SpanKind
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes

from {{ cookiecutter.project_slug }}.core.telemetry import traces

EXPORTER = InMemorySpanExporter()


class WhileRecording(Sampler):
    """Every span while a test records (the ``spans`` fixture), none otherwise."""

    recording = False

    def should_sample(  # noqa: PLR0917 (Sampler's signature)
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        return SamplingResult(Decision.RECORD_AND_SAMPLE if self.recording else Decision.DROP)

    def get_description(self) -> str:
        return "WhileRecording"


SAMPLER = WhileRecording()
_provider = TracerProvider(sampler=SAMPLER)
_provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
trace.set_tracer_provider(_provider)
traces.instrument()


class Spans:
    """The spans finished since the test began, and ways to find them."""

    def finished(self) -> tuple[ReadableSpan, ...]:
        return EXPORTER.get_finished_spans()

    def named(self, name: str) -> ReadableSpan:
        """The one span of that name (fails when there are none or several)."""
        found = [span for span in self.finished() if span.name == name]
        assert len(found) == 1, f"{len(found)} spans named {name!r} in {self.names()}"
        return found[0]

    def names(self) -> list[str]:
        return [span.name for span in self.finished()]

    def children(self, parent: ReadableSpan) -> list[ReadableSpan]:
        parent_id = context_of(parent).span_id
        return [
            span
            for span in self.finished()
            if span.parent is not None and span.parent.span_id == parent_id
        ]


@pytest.fixture
def spans() -> Iterator[Spans]:
    EXPORTER.clear()
    SAMPLER.recording = True
    try:
        yield Spans()
    finally:
        SAMPLER.recording = False
        EXPORTER.clear()


def context_of(span: ReadableSpan) -> SpanContext:
    context = span.get_span_context()
    assert context is not None, "a finished span has its context"
    return context


def trace_id_of(span: ReadableSpan) -> str:
    """32 hex digits, as log lines and traceparent headers write it."""
    return trace.format_trace_id(context_of(span).trace_id)


def span_id_of(span: ReadableSpan) -> str:
    return trace.format_span_id(context_of(span).span_id)
