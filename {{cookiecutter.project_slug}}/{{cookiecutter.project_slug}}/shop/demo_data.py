"""Demo data: N products with brands, categories and images, created in bulk.

Why bulk: the tests, the benchmarks and the demo all need realistic amounts of
rows quickly: one INSERT per batch instead of one per row.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from {{ cookiecutter.project_slug }}.shop.cache_keys import PRODUCTS
from {{ cookiecutter.project_slug }}.shop.models import (
    Brand,
    Category,
    Product,
    ProductImage,
)

BATCH_SIZE = 500

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Catalog:
    """What one call created (ids in creation order)."""

    product_ids: list[int]
    brand_ids: list[int]
    category_ids: list[int]


@transaction.atomic
def generate_catalog(
    *,
    products: int,
    images_per_product: int = 2,
    categories_per_product: int = 2,
    brands: int | None = None,
    progress: Progress | None = None,
) -> Catalog:
    """Create ``products`` products spread over brands, each with images and categories.

    Slugs carry a random run token, so the generator can run again on the same
    database. ``progress(done, total)`` is called after each product batch.
    """
    if products < 0 or images_per_product < 0 or categories_per_product < 0:
        raise ValueError("products, images_per_product and categories_per_product must be >= 0.")
    run = secrets.token_hex(4)
    brand_count = brands if brands is not None else max(1, products // 10)
    brand_rows = Brand.objects.bulk_create(
        Brand(name=f"Brand {index}", slug=f"brand-{run}-{index}") for index in range(brand_count)
    )
    category_rows = Category.objects.bulk_create(
        Category(name=f"Category {index}", slug=f"category-{run}-{index}")
        for index in range(max(categories_per_product, 8))
    )
    created: list[int] = []
    for start in range(0, products, BATCH_SIZE):
        batch = Product.objects.bulk_create(
            Product(
                brand=brand_rows[index % len(brand_rows)],
                name=f"Product {index}",
                slug=f"product-{run}-{index}",
                description=f"Description of product {index}.",
                price=Decimal(100 + index % 900) / 10,
                # 49 down to 0, then again: a newcomer's first order of the first
                # products succeeds, and every 50th product shows a sold-out one.
                stock=49 - index % 50,
                # Bulk inserts send no signals: the denormalized count is set here.
                image_count=images_per_product,
            )
            for index in range(start, min(start + BATCH_SIZE, products))
        )
        Product.categories.through.objects.bulk_create(
            Product.categories.through(
                product_id=product.pk,
                category_id=category_rows[(product.pk + offset) % len(category_rows)].pk,
            )
            for product in batch
            for offset in range(categories_per_product)
        )
        ProductImage.objects.bulk_create(
            ProductImage(
                product=product,
                url=f"https://images.example.com/{product.slug}/{position}.jpg",
                alt_text=f"{product.name}, view {position + 1}",
                position=position,
            )
            for product in batch
            for position in range(images_per_product)
        )
        created += [product.pk for product in batch]
        if progress is not None:
            progress(len(created), products)
    PRODUCTS.invalidate_on_commit()
    return Catalog(
        product_ids=created,
        brand_ids=[brand.pk for brand in brand_rows],
        category_ids=[category.pk for category in category_rows],
    )


def analyze_catalog() -> None:
    """Refresh PostgreSQL's statistics of the shop tables after a bulk load.

    Until autovacuum gets to it, the planner estimates from stale numbers; on
    the list query that made it JIT-compile every execution, which cost many
    times the query itself. Run outside a transaction, after the data is committed.
    """
    tables = [model._meta.db_table for model in (Brand, Category, Product, ProductImage)]
    tables.append(Product.categories.through._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(connection.ops.quote_name(table) for table in tables)}")
