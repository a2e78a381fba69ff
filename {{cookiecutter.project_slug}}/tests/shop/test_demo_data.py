"""generate_catalog and its command: N products with their relations, in bulk."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from {{ cookiecutter.project_slug }}.shop.demo_data import generate_catalog
from {{ cookiecutter.project_slug }}.shop.models import (
    Product,
    ProductImage,
)

pytestmark = pytest.mark.django_db


def test_creates_products_with_relations_in_bulk() -> None:
    with CaptureQueriesContext(connection) as captured:
        catalog = generate_catalog(products=120, images_per_product=3, categories_per_product=2)
    assert Product.objects.count() == 120
    assert ProductImage.objects.count() == 360
    assert Product.categories.through.objects.count() == 240
    assert len(catalog.brand_ids) == 12
    # Bulk inserts send no signals: the denormalized count is right from the start.
    assert set(Product.objects.values_list("image_count", flat=True)) == {3}
    # Bulk inserts: a handful of statements, not one per row.
    assert len(captured) < 15


def test_runs_twice_on_the_same_database() -> None:
    generate_catalog(products=2)
    generate_catalog(products=2)
    assert Product.objects.count() == 4


def test_command_reports_progress(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("generate_catalog", "--products", "3")
    out = capsys.readouterr().out
    assert "products: 3/3" in out
    assert "Created 3 products" in out
    assert Product.objects.count() == 3


def test_command_refuses_a_negative_count() -> None:
    with pytest.raises(CommandError, match="must be >= 0"):
        call_command("generate_catalog", "--products", "-1")


def test_a_first_order_of_the_first_demo_product_is_placed(
    client: Client, api_headers: dict[str, str]
) -> None:
    """Product 1 of a fresh database: what a newcomer orders first."""
    first = generate_catalog(products=3).product_ids[0]
    order = {"email": "newcomer@example.com", "lines": [{"product_id": first, "quantity": 1}]}
    response = client.post(
        "/api/v1/orders", order, content_type="application/json", headers=api_headers
    )
    assert response.status_code == 201, response.content
