"""The shop's admin lists stay flat in queries and show the denormalized image count."""

import pytest
from django.test import Client

from {{ cookiecutter.project_slug }}.shop.demo_data import generate_catalog
from {{ cookiecutter.project_slug }}.shop.models import Order

from tests.support.queries import assert_queries_flat

pytestmark = pytest.mark.django_db

PRODUCTS = "/admin/shop/product/"


def test_product_list_is_flat(admin_client: Client) -> None:
    def products(size: int) -> None:
        generate_catalog(products=size)

    assert_queries_flat(populate=products, call=lambda _: admin_client.get(PRODUCTS))


def test_product_list_shows_the_image_count(admin_client: Client) -> None:
    generate_catalog(products=1, images_per_product=3)
    response = admin_client.get(PRODUCTS)
    assert response.status_code == 200
    assert '<td class="field-image_count">3</td>' in response.content.decode()


def test_order_list_is_flat(admin_client: Client) -> None:
    def orders(size: int) -> None:
        Order.objects.bulk_create(
            Order(customer_email=f"buyer{index}@example.com") for index in range(size)
        )

    assert_queries_flat(populate=orders, call=lambda _: admin_client.get("/admin/shop/order/"))
