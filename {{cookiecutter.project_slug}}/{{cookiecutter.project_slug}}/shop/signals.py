"""Receivers of the shop: each only schedules a task after commit, never does the work.

Why: a receiver runs inside the sender's transaction and request. I/O there
(mail, HTTP, heavy queries) slows every save and fails it when the other side
is down, and a task enqueued before commit can run before the data is visible
or for data that is then rolled back. So a receiver sends its task after
commit with ids (``send_on_commit``, which keeps a send the broker refuses as
a dead letter), and nothing else.
"""

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from {{ cookiecutter.project_slug }}.dead_letters.services import send_on_commit
from {{ cookiecutter.project_slug }}.shop.cache_keys import PRODUCTS
from {{ cookiecutter.project_slug }}.shop.models import (
    Brand,
    Category,
    Product,
    ProductImage,
)
from {{ cookiecutter.project_slug }}.shop.tasks import product_image_count_refresh


@receiver([post_save, post_delete], sender=ProductImage, dispatch_uid="shop-image-count")
def product_image_changed(
    sender: type[ProductImage], instance: ProductImage, **kwargs: Any
) -> None:
    """An image was added, changed or removed: recount its product after commit."""
    send_on_commit(product_image_count_refresh, instance.product_id)


@receiver([post_save, post_delete], sender=Product, dispatch_uid="shop-products-product")
@receiver([post_save, post_delete], sender=Brand, dispatch_uid="shop-products-brand")
@receiver([post_save, post_delete], sender=Category, dispatch_uid="shop-products-category")
@receiver([post_save, post_delete], sender=ProductImage, dispatch_uid="shop-products-image")
@receiver(m2m_changed, sender=Product.categories.through, dispatch_uid="shop-products-m2m")
def catalogue_changed(sender: type[Any], **kwargs: Any) -> None:
    """Any saved change to the catalogue (admin included) drops the cached product pages
    after commit. Bulk writes send no signals: those services invalidate themselves."""
    PRODUCTS.invalidate_on_commit()
