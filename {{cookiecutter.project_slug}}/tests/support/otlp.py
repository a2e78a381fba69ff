"""A loopback OTLP/HTTP collector: what the service's processes export, decoded span by span.

Why not a collector binary or a vendor: the proof is that a real gunicorn
worker and a real Celery pool process send their spans over the wire as a
collector receives them. The exports are protobuf ``ExportTraceServiceRequest``
bodies (opentelemetry-proto's classes), POSTed to ``/v1/traces``.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from tests.support.loopback import http_url, serving


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    trace_id: str  # 32 hex digits, as log lines write it
    span_id: str
    parent_id: str  # "" for a trace's root


@dataclass
class Collector:
    url: str  # for OTEL_EXPORTER_OTLP_ENDPOINT
    spans: list[ReceivedSpan]

    def named(self, name: str) -> list[ReceivedSpan]:
        return [span for span in list(self.spans) if span.name == name]


def decoded(body: bytes) -> list[ReceivedSpan]:
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    received = []
    for resource_spans in request.resource_spans:
        service = next(
            (
                attribute.value.string_value
                for attribute in resource_spans.resource.attributes
                if attribute.key == "service.name"
            ),
            "",
        )
        for scope_spans in resource_spans.scope_spans:
            received += [
                ReceivedSpan(
                    service=service,
                    name=span.name,
                    trace_id=span.trace_id.hex(),
                    span_id=span.span_id.hex(),
                    parent_id=span.parent_span_id.hex(),
                )
                for span in scope_spans.spans
            ]
    return received


@contextmanager
def otlp_collector() -> Iterator[Collector]:
    """Receive OTLP/HTTP trace exports on a free loopback port until the block ends."""
    spans: list[ReceivedSpan] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            with lock:
                spans.extend(decoded(body))
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet: the test asserts on the spans."""

    with serving(Handler) as port:
        yield Collector(url=http_url(port), spans=spans)
