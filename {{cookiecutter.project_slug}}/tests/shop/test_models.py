"""The database itself refuses impossible shop data, whatever the application does."""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from {{ cookiecutter.project_slug }}.shop.models import (
    Brand,
    Order,
    OrderLine,
    Product,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def product() -> Product:
    brand = Brand.objects.create(name="Acme", slug="acme")
    return Product.objects.create(
        brand=brand, name="Anvil", slug="anvil", price=Decimal("9.99"), stock=3
    )


def test_negative_stock_is_refused(product: Product) -> None:
    with pytest.raises(IntegrityError, match="stock"):
        Product.objects.filter(pk=product.pk).update(stock=-1)


def test_order_line_needs_a_positive_quantity(product: Product) -> None:
    order = Order.objects.create(customer_email="buyer@example.com")
    with pytest.raises(IntegrityError, match="orderline_quantity_positive"):
        OrderLine.objects.create(order=order, product=product, quantity=0, unit_price=product.price)
