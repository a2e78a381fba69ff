"""Reads of the shop: querysets composed for the page that shows them.

Why here: views never repeat join logic, so a list that stays flat in queries
stays flat when a second view reuses it. Each selector fetches exactly the
columns its page shows: the brand in the same query (select_related), the
categories and images in one query each (Prefetch into plain lists), whatever
the number of products.
"""

from typing import TypeAlias, TypedDict

from django.db.models import Prefetch, QuerySet
from django_stubs_ext import WithAnnotations

from {{ cookiecutter.project_slug }}.shop.models import (
    Category,
    Product,
    ProductImage,
)

# The product columns the list shows; "brand" (the foreign key) must stay
# loaded, or select_related refuses to follow it.
LIST_FIELDS = ("id", "name", "slug", "price", "brand", "brand__name", "brand__slug")
# What the detail page adds.
DETAIL_FIELDS = (*LIST_FIELDS, "description", "stock")


class Prefetched(TypedDict):
    """The plain lists the selectors' Prefetch(to_attr=...) set on each product."""

    category_list: list[Category]
    image_list: list[ProductImage]


# A string: WithAnnotations takes two arguments only for the type checker.
ListedProduct: TypeAlias = "WithAnnotations[Product, Prefetched]"


def products_for_list() -> QuerySet[ListedProduct]:
    """Products with brand, categories and images: 3 queries for any number of rows.

    The prefetched querysets keep their join keys: ``only("url")`` on images
    would defer ``product_id``, and Django would then fetch it row by row to
    attach each image to its product (an N+1 hidden inside the "optimisation").
    ``to_attr`` stores plain lists: ``product.images.all()`` would build a new
    queryset object per product and per call.
    """
    return (
        Product.objects.select_related("brand")
        .only(*LIST_FIELDS)
        .prefetch_related(
            Prefetch(
                "categories",
                queryset=Category.objects.only("id", "name", "slug"),
                to_attr="category_list",
            ),
            Prefetch(
                "images",
                queryset=ProductImage.objects.only("id", "product_id", "url", "alt_text"),
                to_attr="image_list",
            ),
        )
    )


def products_for_detail() -> QuerySet[ListedProduct]:
    """The list's query plus the columns only the detail page shows."""
    return products_for_list().only(*DETAIL_FIELDS)
