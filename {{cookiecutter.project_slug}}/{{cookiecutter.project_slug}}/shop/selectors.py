"""Reads of the shop: querysets composed for the page that shows them.

Why here: views never repeat join logic, so a read that stays flat in queries
stays flat when a second view reuses it. Each selector fetches exactly the
columns its page shows, and a fixed number of queries for any number of rows.

Two shapes, chosen by measurement (the queries benchmark, where included):
- ``products_with_relations()``: model instances with the brand joined
  (select_related) and categories and images in one query each (Prefetch into
  plain lists). For code that needs instances; the detail builds on it.
- ``product_list_rows()``: the list page as plain dicts in ONE query (values()
  with the brand joined and categories and images as PostgreSQL arrays). On a
  long page, building model instances for every product, category and image and
  binding two IN lists of every id cost more than the query itself: rows as
  dicts keep per-row Python work to the JSON encoder.
"""

from decimal import Decimal
from typing import TypeAlias, TypedDict

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, Prefetch, QuerySet
from django_stubs_ext import WithAnnotations

from {{ cookiecutter.project_slug }}.shop.models import (
    Category,
    Product,
    ProductImage,
)

# Product columns for pages with instances; "brand" (the foreign key) must stay
# loaded, or select_related refuses to follow it.
RELATION_FIELDS = ("id", "name", "slug", "price", "brand", "brand__name", "brand__slug")
# What the detail page adds.
DETAIL_FIELDS = (*RELATION_FIELDS, "description", "stock")


class Prefetched(TypedDict):
    """The plain lists the Prefetch(to_attr=...) below set on each product."""

    category_list: list[Category]
    image_list: list[ProductImage]


# A string: WithAnnotations takes two arguments only for the type checker.
ProductWithRelations: TypeAlias = "WithAnnotations[Product, Prefetched]"


def products_with_relations() -> QuerySet[ProductWithRelations]:
    """Products with brand, categories and images: 3 queries for any number of rows.

    The prefetched querysets keep their join keys: ``only("url")`` on images
    would defer ``product_id``, and Django would then fetch it row by row to
    attach each image to its product (an N+1 hidden inside the "optimisation").
    ``to_attr`` stores plain lists: ``product.images.all()`` would build a new
    queryset object per product and per call.
    """
    return (
        Product.objects.select_related("brand")
        .only(*RELATION_FIELDS)
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


def products_for_detail() -> QuerySet[ProductWithRelations]:
    """The product page: the relations above plus the columns only the detail shows."""
    return products_with_relations().only(*DETAIL_FIELDS)


class ProductRow(TypedDict):
    id: int
    name: str
    slug: str
    price: Decimal
    brand_name: str
    category_names: list[str]
    image_urls: list[str]


def product_list_rows() -> QuerySet[Product, ProductRow]:
    """The list page's rows as dicts, in one query whatever the number of products.

    Categories and images come as arrays from correlated subqueries (one index
    lookup per product inside PostgreSQL, no round trip, no IN list to bind).
    """
    category_names = (
        Category.objects.filter(products=OuterRef("pk")).order_by("name").values("name")
    )
    image_urls = (
        ProductImage.objects.filter(product=OuterRef("pk")).order_by("position", "id").values("url")
    )
    return Product.objects.order_by("id").values(
        "id",
        "name",
        "slug",
        "price",
        brand_name=F("brand__name"),
        category_names=ArraySubquery(category_names),
        image_urls=ArraySubquery(image_urls),
    )


class StockRow(TypedDict):
    id: int
    stock: int


def product_stock_rows() -> QuerySet[Product, StockRow]:
    """Stock levels for a storefront that polls them: two columns as plain dicts.

    values() returns exactly these columns. The pitfall it avoids:
    ``only("id", "stock")`` returns model instances with every other field
    deferred, and touching one later (``product.name`` in a serializer)
    silently costs one query per row.
    """
    return Product.objects.values("id", "stock")


def products_with_brand() -> QuerySet[Product]:
    """Products with their brand joined: a summary that names the brand in one query."""
    return Product.objects.select_related("brand")


def product_image_urls(product_id: int) -> QuerySet[ProductImage, str]:
    """The image URLs of one product, in display order."""
    return (
        ProductImage.objects.filter(product_id=product_id)
        .order_by("position", "id")
        .values_list("url", flat=True)
    )
