"""Which traces are kept: parent-based, from a request, a task or a publish only.

Why parent-based: a service that decided for itself whether to keep a trace its
caller kept would leave fragments (a request without its task, a task without
its request). Why entry points only: see ``EntryPoints``. Configured by
OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG (config/settings/observability.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.context import Context
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes


class EntryPoints(Sampler):
    """Traces start at a request, a task or a publish, never at a lone query or cache call.

    Why: a Celery worker on a Redis broker polls it every second, outside any
    task, and a shell or a beat queries outside any request; each such call
    would be a trace of its own, one span long, drowning the traces that matter.
    """

    def __init__(self, root: Sampler) -> None:
        self.root = root

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
        if kind == SpanKind.CLIENT:
            return SamplingResult(Decision.DROP)
        return self.root.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"EntryPoints({self.root.get_description()})"


def sampler(name: str, ratio: float) -> Sampler:
    """The sampler OTEL_TRACES_SAMPLER names, always parent-based: a trace is kept or dropped
    whole; one started here is kept with ``ratio`` (parentbased_traceidratio)."""
    root = {"parentbased_always_on": ALWAYS_ON, "parentbased_always_off": ALWAYS_OFF}.get(
        name, TraceIdRatioBased(ratio)
    )
    return ParentBased(EntryPoints(root))
