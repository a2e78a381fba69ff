"""The shop's API through the booted production servers: writes with a key, an async read,
and what two server processes share: the write limit and the cached list's invalidation.

The servers of tests/support/production.py; the shipping-rate API they call is a
refused loopback port, so delivery degrades instead of reaching any network.
"""

import json
import time
from decimal import Decimal

import pytest

from {{ cookiecutter.project_slug }}.shop.cache_keys import PRODUCTS
from {{ cookiecutter.project_slug }}.shop.models import Brand, Order, Product
from {{ cookiecutter.project_slug }}.shop.services import product_change_price

from tests.support.production import SERVER_WRITE_RATE
from tests.support.servers import Answer, Server, fetch

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
    pytest.mark.usefixtures("backends_up"),
]


@pytest.fixture
def product() -> Product:
    brand = Brand.objects.create(name="Acme", slug="acme")
    return Product.objects.create(
        brand=brand, name="Kettle", slug="kettle", price=Decimal("30.00"), stock=5
    )


def order(server: Server, key: str, product: Product) -> Answer:
    body = {"email": "a@example.com", "lines": [{"product_id": product.pk, "quantity": 1}]}
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    return fetch(
        server, "/api/v1/orders", method="POST", headers=headers, body=json.dumps(body).encode()
    )


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_an_order_with_a_key_is_placed(
    kind: str, request: pytest.FixtureRequest, server_api_key: str, product: Product
) -> None:
    server: Server = request.getfixturevalue(f"{kind}_server")
    placed = order(server, server_api_key, product)
    assert placed.status == 201, placed.body
    assert Order.objects.get(pk=json.loads(placed.body)["id"]).total == Decimal("30.00")
    body = json.dumps(
        {"email": "a@example.com", "lines": [{"product_id": product.pk, "quantity": 1}]}
    )
    refused = fetch(server, "/api/v1/orders", method="POST", body=body.encode())
    assert (refused.status, json.loads(refused.body)["error"]) == (401, "unauthorized")


def test_the_async_delivery_is_served_under_asgi(asgi_server: Server, product: Product) -> None:
    answer = fetch(
        asgi_server, f"/api/v1/products/{product.pk}/delivery?country=DE&postal_code=10115"
    )
    assert answer.status == 200, answer.body
    delivery = json.loads(answer.body)
    assert delivery["product"]["name"] == "Kettle"
    assert delivery["shipping"] == {"available": False, "rates": []}, "the carrier is unreachable"
    missing = fetch(asgi_server, "/api/v1/products/999999/delivery?country=DE&postal_code=10115")
    assert (missing.status, json.loads(missing.body)["error"]) == (404, "not_found")


def test_the_write_limit_holds_across_server_processes(
    wsgi_server: Server, asgi_server: Server, server_api_key: str, product: Product
) -> None:
    """The throttle counts in the shared Redis: writes to either process add up."""
    for index in range(SERVER_WRITE_RATE):
        placed = order(wsgi_server if index % 2 else asgi_server, server_api_key, product)
        assert placed.status == 201, placed.body
    over = order(wsgi_server, server_api_key, product)
    assert (over.status, json.loads(over.body)["error"]) == (429, "throttled")
    assert int(over.headers["Retry-After"]) >= 1
    assert order(asgi_server, server_api_key, product).status == 429


def test_a_change_in_this_process_reaches_the_servers_cached_list(
    wsgi_server: Server, product: Product
) -> None:
    """The list is cached in each server process; a price change here drops it there too.

    Within PRODUCTS.version_seconds: the servers trust the catalog's version that long.
    """

    def served_price() -> str:
        answer = fetch(wsgi_server, "/api/v1/products")
        assert answer.status == 200, answer.body
        return str(
            next(
                item["price"]
                for item in json.loads(answer.body)["items"]
                if item["id"] == product.pk
            )
        )

    assert served_price() == "30.00"
    assert served_price() == "30.00"  # now from the cache, in the server's process
    product_change_price(product_id=product.pk, price=Decimal("1234.50"))
    deadline = time.monotonic() + PRODUCTS.version_seconds + 1.0
    while served_price() != "1234.50":
        assert time.monotonic() < deadline, "the change never reached the server's list"
        time.sleep(0.05)
