"""The image receiver only schedules a recount after commit; the task does the work."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from {{ cookiecutter.project_slug }}.shop.cache_keys import PRODUCTS
from {{ cookiecutter.project_slug }}.shop.models import (
    Brand,
    Product,
    ProductImage,
)
from {{ cookiecutter.project_slug }}.shop.tasks import product_image_count_refresh

from tests.support.broker import queue_take_all

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("task_queue")]

CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def product() -> Product:
    brand = Brand.objects.create(name="Acme", slug="acme")
    return Product.objects.create(brand=brand, name="Anvil", slug="anvil", price=Decimal(1))


def test_new_image_schedules_a_recount_after_commit(
    product: Product, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ProductImage.objects.create(product=product, url="https://img.example.com/1.jpg")
        assert queue_take_all() == []
    assert len(callbacks) == 2  # the recount, and dropping the cached product pages
    assert queue_take_all() == [(product_image_count_refresh.name, [product.pk])]
    product.refresh_from_db()
    assert product.image_count == 0, "the receiver itself does no work"

    product_image_count_refresh.apply(args=(product.pk,))
    product.refresh_from_db()
    assert product.image_count == 1


def test_deleted_image_schedules_a_recount(
    product: Product, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    image = ProductImage.objects.create(product=product, url="https://img.example.com/1.jpg")
    product.image_count = 1
    product.save(update_fields=["image_count"])
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert queue_take_all() == [(product_image_count_refresh.name, [product.pk])]
    product_image_count_refresh.apply(args=(product.pk,))
    product.refresh_from_db()
    assert product.image_count == 0


class RollbackError(Exception):
    pass


def image_add_then_roll_back(product: Product) -> None:
    with transaction.atomic():
        ProductImage.objects.create(product=product, url="https://img.example.com/1.jpg")
        raise RollbackError


def test_rolled_back_image_schedules_nothing(
    product: Product, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RollbackError),
    ):
        image_add_then_roll_back(product)
    assert callbacks == []
    assert queue_take_all() == []


def test_catalogue_edit_drops_cached_pages_after_commit(
    product: Product, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    before = PRODUCTS.version()
    with django_capture_on_commit_callbacks(execute=True):
        product.brand.name = "Acme Tools"
        product.brand.save()  # as the admin would
        assert PRODUCTS.version() == before, "not before the commit"
    assert PRODUCTS.version() != before
