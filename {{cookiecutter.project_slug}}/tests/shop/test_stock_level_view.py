"""GET /shop/products/<pk>/stock/: one query, JSON, 404 for an unknown product."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from {{ cookiecutter.project_slug }}.shop.models import (
    Brand,
    Product,
)

pytestmark = pytest.mark.django_db


def test_stock_of_one_product(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    brand = Brand.objects.create(name="Acme", slug="acme")
    product = Product.objects.create(
        brand=brand, name="Anvil", slug="anvil", price=Decimal(1), stock=7
    )
    url = reverse("shop:product-stock-level", kwargs={"pk": product.pk})
    assert url == f"/shop/products/{product.pk}/stock/"
    with django_assert_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200
    assert response.json() == {"id": product.pk, "stock": 7}


def test_unknown_product_is_404(client: Client) -> None:
    assert client.get("/shop/products/999999/stock/").status_code == 404
