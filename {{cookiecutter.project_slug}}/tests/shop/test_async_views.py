"""shop.async_views through Django's AsyncClient, and a detector for blocked event loops.

The tests are sync functions that drive the async client with ``async_to_sync``:
the ORM calls the views make through ``sync_to_async`` then run on the test's
thread, inside the test's transaction.
"""

import asyncio
import json
import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import AsyncClient, AsyncRequestFactory
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.shop.async_views import product_delivery
from {{ cookiecutter.project_slug }}.shop.clients import shipping_rates_fetch
from {{ cookiecutter.project_slug }}.shop.models import (
    Brand,
    Order,
    Product,
    ProductImage,
)

from tests.support.loopback import Reply, Server, http_server

pytestmark = pytest.mark.django_db

RATES = {
    "rates": [
        {"carrier": "DHL", "service": "standard", "amount": 4.9, "currency": "EUR", "days": 3}
    ]
}
API_DELAY = 0.3  # seconds the stub API takes to answer
SLOW_CALLBACK = 0.1  # asyncio's default threshold for "this callback blocked the loop"


@pytest.fixture
def product() -> Product:
    brand = Brand.objects.create(name="Acme", slug="acme")
    product = Product.objects.create(
        brand=brand, name="Kettle", slug="kettle", price=Decimal("30.00"), stock=2
    )
    ProductImage.objects.create(product=product, url="https://img.example.com/k1.jpg", position=1)
    ProductImage.objects.create(product=product, url="https://img.example.com/k0.jpg", position=0)
    return product


def serve_api(settings: Settings, reply: Reply) -> Iterator[Server]:
    with http_server(lambda _: reply) as server:
        settings.SHIPPING_API_URL = server.url + "/v1/"
        yield server


@pytest.fixture
def rates_api(settings: Settings) -> Iterator[Server]:
    """The shipping-rate API on loopback."""
    yield from serve_api(settings, Reply(200, json.dumps(RATES).encode()))


@pytest.fixture
def slow_rates_api(settings: Settings) -> Iterator[Server]:
    """The shipping-rate API on loopback, answering after API_DELAY (longer than SLOW_CALLBACK)."""
    yield from serve_api(settings, Reply(200, json.dumps(RATES).encode(), delay=API_DELAY))


@pytest.fixture
def broken_api(settings: Settings) -> Iterator[Server]:
    yield from serve_api(settings, Reply(500, b"down"))


def get(path: str, **query: str) -> Any:
    return async_to_sync(AsyncClient().get)(path, query)


def post(path: str, body: object) -> Any:
    return async_to_sync(AsyncClient().post)(
        path, json.dumps(body), content_type="application/json"
    )


def test_delivery_gathers_product_images_and_rates(product: Product, rates_api: Server) -> None:
    response = get(f"/shop/products/{product.pk}/delivery/", country="DE", postal_code="10115")
    assert response.status_code == 200
    assert response.json() == {
        "product": {
            "id": product.pk,
            "name": "Kettle",
            "brand": "Acme",
            "price": "30.00",
            "in_stock": True,
        },
        "images": ["https://img.example.com/k0.jpg", "https://img.example.com/k1.jpg"],
        "shipping": {
            "available": True,
            "rates": [
                {
                    "carrier": "DHL",
                    "service": "standard",
                    "amount": "4.9",
                    "currency": "EUR",
                    "days": 3,
                }
            ],
        },
    }
    assert rates_api.seen[0].path == "/v1/rates?country=DE&postal_code=10115"


def test_a_failing_rate_api_degrades_the_page(
    product: Product, broken_api: Server, caplog: pytest.LogCaptureFixture
) -> None:
    response = get(f"/shop/products/{product.pk}/delivery/", country="DE", postal_code="10115")
    assert response.status_code == 200
    assert response.json()["shipping"] == {"available": False, "rates": []}
    assert "Shipping rates unavailable" in caplog.text


def test_unknown_product_is_404(rates_api: Server) -> None:
    response = get("/shop/products/999999/delivery/", country="DE", postal_code="10115")
    assert response.status_code == 404


def test_destination_is_required(product: Product) -> None:
    response = get(f"/shop/products/{product.pk}/delivery/", country="DE")
    assert response.status_code == 400
    assert "postal_code" in response.json()["error"]


def test_order_is_placed_in_a_transaction(product: Product) -> None:
    response = post("/shop/orders/", {"email": "a@example.com", "lines": {str(product.pk): 2}})
    assert response.status_code == 201
    order = Order.objects.get(pk=response.json()["id"])
    assert order.total == Decimal("60.00")
    product.refresh_from_db()
    assert product.stock == 0


def test_out_of_stock_order_writes_nothing(product: Product) -> None:
    response = post("/shop/orders/", {"email": "a@example.com", "lines": {str(product.pk): 3}})
    assert response.status_code == 409
    assert "only 2 in stock" in response.json()["error"]
    assert not Order.objects.exists()
    product.refresh_from_db()
    assert product.stock == 2


@pytest.mark.parametrize(
    "body",
    [
        {"email": "a@example.com"},
        {"email": "not-an-email", "lines": {"1": 1}},
        {"email": "a@example.com", "lines": {"x": 1}},
        [],
    ],
)
def test_malformed_order_is_400(body: object) -> None:
    response = post("/shop/orders/", body)
    assert response.status_code == 400
    assert "Expected JSON" in response.json()["error"]


# --- The loop-blocking detector ---


async def product_delivery_blocking(request: HttpRequest, pk: int) -> HttpResponse:
    """The mistake the detector exists for: the HTTP call made on the event loop."""
    product = await Product.objects.aget(pk=pk)
    rates = shipping_rates_fetch(country="DE", postal_code="10115")
    return JsonResponse({"product": product.name, "rates": len(rates)})


def slow_callbacks(view: Any, pk: int, caplog: pytest.LogCaptureFixture) -> list[str]:
    """Run an async view on a loop in debug mode; return asyncio's slow-callback warnings."""
    request = AsyncRequestFactory().get("/", {"country": "DE", "postal_code": "10115"})

    async def watched() -> HttpResponse:
        loop = asyncio.get_running_loop()
        loop.set_debug(True)
        loop.slow_callback_duration = SLOW_CALLBACK
        response: HttpResponse = await view(request, pk=pk)
        return response

    with caplog.at_level(logging.WARNING, logger="asyncio"):
        response = async_to_sync(watched)()
    assert response.status_code == 200
    return [record.getMessage() for record in caplog.records if " took " in record.getMessage()]


def test_delivery_never_blocks_the_loop(
    product: Product, slow_rates_api: Server, caplog: pytest.LogCaptureFixture
) -> None:
    assert slow_callbacks(product_delivery, product.pk, caplog) == []
    assert len(slow_rates_api.seen) == 1  # the slow call was made, off the loop


def test_detector_catches_a_blocking_view(
    product: Product, slow_rates_api: Server, caplog: pytest.LogCaptureFixture
) -> None:
    warnings = slow_callbacks(product_delivery_blocking, product.pk, caplog)
    assert len(warnings) == 1
    assert "took" in warnings[0]
