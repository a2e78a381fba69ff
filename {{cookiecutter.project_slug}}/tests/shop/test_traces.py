"""An order followed in one trace: request, queries, cache, task published and run, call out.

Spans are recorded in memory (tests/support/traces.py). The order is placed
through the API in a real transaction, so its task is published on commit
inside the request, as in production; the message is taken off the broker and
run by Celery's worker ``Request``. The shipping-rate API is a loopback peer
that records the headers it receives.
"""

import json
from decimal import Decimal
from typing import Any

import pytest
from celery.worker.request import Request
from django.test import Client
from opentelemetry.trace import SpanKind
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.shop.models import Brand, Product
from {{ cookiecutter.project_slug }}.shop.tasks import order_confirm

from config.celery import app as celery_app

from tests.support.broker import queue_take_raw
from tests.support.loopback import Reply, http_server
from tests.support.traces import Spans, context_of, trace_id_of

ORDERS = "/api/v1/orders"
RATES = {
    "rates": [
        {"carrier": "DHL", "service": "standard", "amount": 4.9, "currency": "EUR", "days": 3}
    ]
}


@pytest.fixture
def product() -> Product:
    brand = Brand.objects.create(name="Acme", slug="acme")
    return Product.objects.create(
        brand=brand, name="Kettle", slug="kettle", price=Decimal("30.00"), stock=5
    )


def systems(spans: list[Any]) -> set[str]:
    return {str((span.attributes or {}).get("db.system.name")) for span in spans}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("task_queue")
def test_an_order_is_one_trace_from_the_request_to_its_task(
    client: Client, api_headers: dict[str, str], product: Product, spans: Spans
) -> None:
    body = {"email": "a@example.com", "lines": [{"product_id": product.pk, "quantity": 1}]}
    response = client.post(
        ORDERS, json.dumps(body), content_type="application/json", headers=api_headers
    )
    assert response.status_code == 201, response.content
    (message,) = queue_take_raw()
    Request(message, app=celery_app, task=order_confirm).execute()

    server = spans.named("POST api/v1/orders")
    assert server.kind == SpanKind.SERVER
    below = [span for span in spans.finished() if span.parent is not None]
    under_request = [span for span in below if trace_id_of(span) == trace_id_of(server)]
    assert {"postgresql", "redis"} <= systems(under_request), spans.names()
    publish = spans.named(f"apply_async/{order_confirm.name}")
    run = spans.named(f"run/{order_confirm.name}")
    assert trace_id_of(publish) == trace_id_of(run) == trace_id_of(server)
    assert run.parent is not None
    assert run.parent.span_id == context_of(publish).span_id


@pytest.mark.django_db
def test_the_shipping_call_carries_the_requests_trace(
    client: Client, product: Product, settings: Settings, spans: Spans
) -> None:
    with http_server(lambda _: Reply(200, json.dumps(RATES).encode())) as carrier:
        settings.SHIPPING_API_URL = carrier.url + "/v1/"
        response = client.get(
            f"/api/v1/products/{product.pk}/delivery", {"country": "DE", "postal_code": "10115"}
        )
    assert response.status_code == 200, response.content
    (server,) = [span for span in spans.finished() if span.kind == SpanKind.SERVER]
    # The route, never the raw path: one name for every product.
    assert server.name == "GET api/v1/products/<int:product_id>/delivery"
    (seen,) = carrier.seen
    _version, trace_id, _parent, _flags = seen.headers["traceparent"].split("-")
    assert trace_id == trace_id_of(server)
