"""The shop's async operations through Django's AsyncClient, and a detector for blocked event loops.

The tests are sync functions that drive the async client with ``async_to_sync``:
the ORM calls the operations make through ``sync_to_async`` then run on the
test's thread, inside the test's transaction.
"""

import json
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.http import HttpRequest, JsonResponse
from django.test import AsyncClient, Client
from django.urls import include, path
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.shop.clients import shipping_rates_fetch
from {{ cookiecutter.project_slug }}.shop.models import (
    Brand,
    Order,
    Product,
    ProductImage,
)
from {{ cookiecutter.project_slug }}.users.keys import api_key_issue, api_key_revoke

from tests.support.event_loop import Hold, loop_holds
from tests.support.loopback import Reply, Server, closed_port, http_server, http_url

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders"
RATES = {
    "rates": [
        {"carrier": "DHL", "service": "standard", "amount": 4.9, "currency": "EUR", "days": 3}
    ]
}
DESTINATION = {"country": "DE", "postal_code": "10115"}
API_DELAY = 0.3  # seconds the stub API takes to answer
BLOCKING_DELAY = 1.0  # the same, for the view that blocks its loop on it
# An unreachable carrier may cost the failed connect (on loopback, under a millisecond)
# and the request's own work, not the retries' back-off (a second in all).
UNREACHABLE_SECONDS = 0.5


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
    """The shipping-rate API on loopback, answering after API_DELAY (longer than HOLD_LIMIT)."""
    yield from serve_api(settings, Reply(200, json.dumps(RATES).encode(), delay=API_DELAY))


@pytest.fixture
def slower_rates_api(settings: Settings) -> Iterator[Server]:
    """Answering after BLOCKING_DELAY: a view that waits for it on the loop holds the loop
    that long, less what a loaded machine keeps its thread waiting for a CPU, which the
    detector does not count (tests/support/event_loop.py); API_DELAY left too little."""
    yield from serve_api(settings, Reply(200, json.dumps(RATES).encode(), delay=BLOCKING_DELAY))


@pytest.fixture
def broken_api(settings: Settings) -> Iterator[Server]:
    yield from serve_api(settings, Reply(500, b"down"))


def delivery_url(pk: int | str) -> str:
    return f"/api/v1/products/{pk}/delivery"


def get(path: str, **query: str) -> Any:
    return async_to_sync(AsyncClient().get)(path, query)


def post(path: str, body: object, headers: dict[str, str] | None = None) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return async_to_sync(AsyncClient().post)(
        path, raw, content_type="application/json", headers=headers or {}
    )


def order(product: Product, quantity: object = 1, **changes: object) -> dict[str, Any]:
    return {
        "email": "a@example.com",
        "lines": [{"product_id": product.pk, "quantity": quantity}],
        **changes,
    }


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error: dict[str, Any] = response.json()
    assert set(error) == {"error", "detail"}
    if code is not None:
        assert error["error"] == code
    return error


# --- Delivery: product, images and rates gathered ---


def test_delivery_gathers_product_images_and_rates(product: Product, rates_api: Server) -> None:
    response = get(delivery_url(product.pk), **DESTINATION)
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
    response = get(delivery_url(product.pk), **DESTINATION)
    assert response.status_code == 200
    assert response.json()["shipping"] == {"available": False, "rates": []}
    assert "Shipping rates unavailable" in caplog.text


def test_an_unreachable_rate_api_degrades_at_once_in_one_line(
    product: Product, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.SHIPPING_API_URL = http_url(closed_port()) + "/v1/"
    started = time.perf_counter()
    response = get(delivery_url(product.pk), **DESTINATION)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert response.json()["shipping"] == {"available": False, "rates": []}
    assert elapsed < UNREACHABLE_SECONDS
    # What a developer sees besides the request's own line: one line, the cause, no traceback.
    (line,) = [record for record in caplog.records if getattr(record, "event", "") != "request"]
    assert line.getMessage().startswith("Shipping rates unavailable for DE 10115: ")
    assert line.getMessage().endswith("ConnectionRefusedError: [Errno 111] Connection refused")
    assert line.exc_info is None


def test_a_carrier_that_keeps_failing_is_left_alone_a_while(
    product: Product, broken_api: Server, settings: Settings
) -> None:
    """The host's circuit breaker (core/http/breaker.py) opens; the page degrades without a call."""
    for _ in range(settings.HTTP_CIRCUIT_FAILURES):
        get(delivery_url(product.pk), **DESTINATION)
    calls = len(broken_api.seen)
    started = time.perf_counter()
    response = get(delivery_url(product.pk), **DESTINATION)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert response.json()["shipping"] == {"available": False, "rates": []}
    assert len(broken_api.seen) == calls, "the carrier was called while its breaker was open"
    assert elapsed < UNREACHABLE_SECONDS


def test_unknown_product_is_404_without_calling_the_carrier(rates_api: Server) -> None:
    assert_error(get(delivery_url(999_999), **DESTINATION), 404, "not_found")
    assert rates_api.seen == []


@pytest.mark.parametrize(
    "query",
    [
        {"country": "DE"},
        {"country": "Germany", "postal_code": "10115"},
        {"country": "DE", "postal_code": "x" * 40},
    ],
)
def test_a_bad_destination_is_422_without_calling_the_carrier(
    product: Product, rates_api: Server, query: dict[str, str]
) -> None:
    error = assert_error(get(delivery_url(product.pk), **query), 422, "invalid")
    assert error["detail"][0]["loc"][0] == "query"
    assert rates_api.seen == []


# --- Orders: authenticated, strict, throttled ---


def test_order_with_a_good_key_is_placed(product: Product, api_headers: dict[str, str]) -> None:
    response = post(ORDERS, order(product, 2), api_headers)
    assert response.status_code == 201, response.content
    placed = Order.objects.get(pk=response.json()["id"])
    assert response.json() == {"id": placed.pk, "total": "60.00", "status": "placed"}
    assert placed.placed_by is not None
    assert placed.placed_by.username == "api-client"
    product.refresh_from_db()
    assert product.stock == 0


def test_order_without_credentials_is_401(product: Product) -> None:
    error = assert_error(post(ORDERS, order(product)), 401, "unauthorized")
    assert "Bearer" in error["detail"]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        "Bearer nope",
        "Bearer 0123abcd.forged-secret-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "Basic abc",
        "Bearer \x00",
    ],
)
def test_order_with_a_wrong_key_is_401(product: Product, header: str) -> None:
    assert_error(post(ORDERS, order(product), {"Authorization": header}), 401, "unauthorized")


def test_order_with_a_revoked_key_is_401(product: Product, django_user_model: Any) -> None:
    issued = api_key_issue(user=django_user_model.objects.create_user("leaver"), name="old")
    headers = {"Authorization": f"Bearer {issued.key}"}
    assert post(ORDERS, order(product), headers).status_code == 201
    assert api_key_revoke(prefix=issued.api_key.prefix)
    assert_error(post(ORDERS, order(product), headers), 401, "unauthorized")


def test_out_of_stock_order_writes_nothing(product: Product, api_headers: dict[str, str]) -> None:
    error = assert_error(post(ORDERS, order(product, 3), api_headers), 409, "out_of_stock")
    assert "only 2 in stock" in error["detail"]
    assert not Order.objects.exists()
    product.refresh_from_db()
    assert product.stock == 2


def test_unknown_product_in_an_order_is_422(product: Product, api_headers: dict[str, str]) -> None:
    body = order(product, lines=[{"product_id": 999_999, "quantity": 1}])
    assert_error(post(ORDERS, body, api_headers), 422, "unknown_product")


QUANTITY = ["body", "lines", 0, "quantity"]
# Each bad input and where its 422 says the fault is, in the body as the client sent it.
STRICT_INPUT: dict[str, tuple[dict[str, Any], list[Any]]] = {
    "fractional quantity": ({"quantity": 1.9}, QUANTITY),
    "integral float quantity": ({"quantity": 1.0}, QUANTITY),
    "boolean quantity": ({"quantity": True}, QUANTITY),
    "string quantity": ({"quantity": "1"}, QUANTITY),
    "zero quantity": ({"quantity": 0}, QUANTITY),
    "negative quantity": ({"quantity": -1}, QUANTITY),
    "huge quantity": ({"quantity": 10**30}, QUANTITY),
    "unknown field": ({"coupon": "FREE"}, ["body", "coupon"]),
    "bad email": ({"email": "not-an-email"}, ["body", "email"]),
    "old shape of lines": ({"lines": {"1": 1}}, ["body", "lines"]),
    "no lines": ({"lines": []}, ["body", "lines"]),
    "too many lines": (
        {"lines": [{"product_id": pk, "quantity": 1} for pk in range(1, 52)]},
        ["body", "lines"],
    ),
    "product twice": ({"lines": [{"product_id": 1, "quantity": 1}] * 2}, ["body", "lines"]),
    "huge product id": (
        {"lines": [{"product_id": 2**63, "quantity": 1}]},
        ["body", "lines", 0, "product_id"],
    ),
}


@pytest.mark.parametrize(("changes", "location"), STRICT_INPUT.values(), ids=STRICT_INPUT.keys())
def test_anything_not_exactly_valid_is_422_naming_the_field(
    product: Product, api_headers: dict[str, str], changes: dict[str, Any], location: list[Any]
) -> None:
    body = order(product)
    body["lines"][0].update({key: value for key, value in changes.items() if key == "quantity"})
    body.update({key: value for key, value in changes.items() if key != "quantity"})
    error = assert_error(post(ORDERS, body, api_headers), 422, "invalid")
    assert error["detail"][0]["loc"] == location
    assert not Order.objects.exists()


def nested(depth: int) -> object:
    """A list holding a list ... ``depth`` levels deep."""
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b"[" * 20_000 + b"]" * 20_000, 400, "too_deep"),  # past json's own recursion limit
        (json.dumps({"email": "a@example.com", "lines": nested(35)}).encode(), 400, "too_deep"),
        (b"{not json", 400, "bad_json"),
        (b'{"email": "' + b"x" * 70_000 + b'"}', 413, "payload_too_large"),
    ],
    ids=["nested 20,000 deep", "nested 35 deep", "not json", "over 64 KiB"],
)
def test_bodies_out_of_bounds_are_4xx(
    api_headers: dict[str, str], raw: bytes, status: int, code: str
) -> None:
    assert_error(post(ORDERS, raw, api_headers), status, code)


def test_writes_are_throttled_with_retry_after(
    product: Product, api_headers: dict[str, str], settings: Settings
) -> None:
    settings.API_WRITE_RATE = "2/m"
    assert post(ORDERS, order(product), api_headers).status_code == 201
    assert post(ORDERS, order(product), api_headers).status_code == 201
    response = post(ORDERS, order(product), api_headers)
    assert_error(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60


# --- Browser sessions: CSRF enforced ---


@pytest.fixture
def browser(django_user_model: Any) -> Client:
    """A logged-in browser whose client enforces CSRF like a real one does."""
    django_user_model.objects.create_user("shopper", password="a-long-enough-password")
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="shopper", password="a-long-enough-password")
    client.get("/admin/login/")  # sets the csrftoken cookie, as any page with a form does
    return client


def test_session_write_without_the_csrf_token_is_403(product: Product, browser: Client) -> None:
    response = browser.post(ORDERS, order(product), content_type="application/json")
    assert_error(response, 403, "forbidden")
    assert not Order.objects.exists()


def test_session_write_with_the_csrf_token_is_placed(product: Product, browser: Client) -> None:
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        ORDERS, order(product), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201, response.content
    placed_by = Order.objects.get().placed_by
    assert placed_by is not None
    assert placed_by.username == "shopper"


# --- The loop-blocking detector ---


async def product_delivery_blocking(request: HttpRequest, pk: int) -> JsonResponse:
    """The mistake the detector exists for: the HTTP call made on the event loop."""
    product = await Product.objects.aget(pk=pk)
    rates = shipping_rates_fetch(country="DE", postal_code="10115")
    return JsonResponse({"product": product.name, "rates": len(rates)})


urlpatterns = [
    path("blocking/<int:pk>/", product_delivery_blocking),
    path("", include("config.urls")),
]


def loop_holds_of(method: str, url: str, **kwargs: Any) -> tuple[Any, list[Hold]]:
    """Run one request, middleware included; return the response and what held the loop.

    The detector (tests/support/event_loop.py) is on before the request starts,
    so a blocking call anywhere (middleware, the operation's first line) is
    seen; a callback that only waited for a CPU on a busy machine is not.
    """
    with loop_holds() as holds:
        response = async_to_sync(getattr(AsyncClient(), method))(url, **kwargs)
    return response, holds


def test_delivery_never_blocks_the_loop(product: Product, slow_rates_api: Server) -> None:
    response, holds = loop_holds_of("get", delivery_url(product.pk), data=DESTINATION)
    assert response.status_code == 200
    assert holds == []
    assert len(slow_rates_api.seen) == 1  # the slow call was made, off the loop


def test_an_order_never_blocks_the_loop(product: Product, api_headers: dict[str, str]) -> None:
    response, holds = loop_holds_of(
        "post",
        ORDERS,
        data=json.dumps(order(product)),
        content_type="application/json",
        headers=api_headers,
    )
    assert response.status_code == 201
    assert holds == []


def test_detector_catches_a_blocking_view(
    product: Product, slower_rates_api: Server, settings: Settings
) -> None:
    settings.ROOT_URLCONF = __name__
    response, holds = loop_holds_of("get", f"/blocking/{product.pk}/")
    assert response.status_code == 200
    # Held for most of BLOCKING_DELAY, which only the HTTP call made on the loop explains.
    assert max((hold.held for hold in holds), default=0) > BLOCKING_DELAY / 2, holds
