"""The shop with a replica configured: the catalog reads it, orders stay on the primary.

Against the real streaming replica `make services` runs (tests/support/replica.py),
replay paused: a change committed on the primary is missing on the replica, so
what a read sees tells where it went.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from {{ cookiecutter.project_slug }}.core.database.routing import Reads, reading
from {{ cookiecutter.project_slug }}.shop.models import Brand, Product
from {{ cookiecutter.project_slug }}.shop.services import OutOfStockError, order_place

from tests.support.database import other_session
from tests.support.replica import Replica

# Committed data, as requests and the replica see it; only these apps' tables are
# flushed after each test (all of them take seconds).
pytestmark = pytest.mark.django_db(
    transaction=True,
    available_apps=[
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "{{ cookiecutter.project_slug }}.users",
        "{{ cookiecutter.project_slug }}.shop",
    ],
)


def change_on_the_primary(product: Product, **values: object) -> None:
    """Another client's committed change, which the paused replica has not replayed."""
    assignments = ", ".join(f"{name} = %s" for name in values)
    with other_session() as session:
        session.execute(
            f"UPDATE shop_product SET {assignments} WHERE id = %s",  # noqa: S608 (names are ours)
            [*values.values(), product.pk],
        )
        session.commit()


def stock_on_the_primary(product: Product) -> int:
    with other_session() as session:
        row = session.execute(
            "SELECT stock FROM shop_product WHERE id = %s", [product.pk]
        ).fetchone()
        assert row is not None
        return int(row[0])


@pytest.fixture
def product(replica: Replica) -> Product:
    brand = Brand.objects.create(name="Acme", slug="acme")
    made = Product.objects.create(
        brand=brand, name="Kettle", slug="kettle", price=Decimal("2.50"), stock=5
    )
    replica.catch_up()
    replica.pause()
    return made


def test_catalog_reads_go_to_the_replica(product: Product) -> None:
    change_on_the_primary(product, price=Decimal("3.00"))
    response = Client().get(f"/api/v1/products/{product.pk}")
    assert response.status_code == 200, response.content
    assert response.json()["price"] == "2.50"  # the replica's copy: the read went there


@pytest.mark.usefixtures("task_queue")  # the confirmation each order enqueues, removed
def test_an_order_checks_and_takes_stock_on_the_primary(product: Product) -> None:
    change_on_the_primary(product, stock=1)  # the replica still says 5
    # Two requests, each where reads may go to a replica (a fresh routing state each).
    with reading(Reads()):
        order_place(customer_email="a@example.com", quantities={product.pk: 1})
    with reading(Reads()), pytest.raises(OutOfStockError, match="only 0 in stock"):
        order_place(customer_email="b@example.com", quantities={product.pk: 1})
    assert stock_on_the_primary(product) == 0
