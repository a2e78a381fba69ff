"""The image-count batch: correct, resumable, and flat in memory however large the table."""

import logging
import tracemalloc
from collections.abc import Callable

import pytest
from django.db import connection

from {{ cookiecutter.project_slug }}.shop.counts import image_counts_rederive
from {{ cookiecutter.project_slug }}.shop.models import (
    Brand,
    Product,
    ProductImage,
)

pytestmark = pytest.mark.django_db

ROWS = 20_000
# Peak Python memory of the batch over ROWS products: one chunk of 1,000 primary
# keys stays far under it; even the leanest list of all ROWS (pk, count) does not.
MEMORY_BOUND = 1024 * 1024


def products_create(count: int, *, image_count: int = 0, stale_every: int = 1) -> list[int]:
    """Products without images; every ``stale_every``-th one claims ``image_count`` images.

    One INSERT ... SELECT generate_series: 20,000 rows in a fraction of a second.
    """
    brand = Brand.objects.create(name="Acme", slug="acme")
    table = connection.ops.quote_name(Product._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (brand_id, name, slug, description, price, stock,"  # noqa: S608 - our own table name
            " image_count, created_at, updated_at)"
            " SELECT %s, 'P' || n, 'p' || n, '', 1, 0,"
            " CASE WHEN n %% %s = 0 THEN %s ELSE 0 END, now(), now()"
            " FROM generate_series(0, %s - 1) AS n",
            [brand.pk, stale_every, image_count, count],
        )
    return list(Product.objects.order_by("pk").values_list("pk", flat=True))


def test_rederives_every_count_and_reports_progress(caplog: pytest.LogCaptureFixture) -> None:
    products = products_create(5, image_count=7)
    ProductImage.objects.bulk_create(
        ProductImage(product_id=products[1], url=f"https://img.example.com/{index}.jpg")
        for index in range(2)
    )
    with caplog.at_level(logging.INFO, logger=image_counts_rederive.__module__):
        assert image_counts_rederive(chunk_size=2) is None
    counts = list(Product.objects.order_by("pk").values_list("image_count", flat=True))
    assert counts == [0, 2, 0, 0, 0]
    assert [record.getMessage() for record in caplog.records] == [
        "Image counts: 2/5 products checked, 2 corrected",
        "Image counts: 4/5 products checked, 4 corrected",
        "Image counts: 5/5 products checked, 5 corrected",
    ]


def test_stops_when_time_is_up_and_resumes_from_the_last_pk() -> None:
    products = products_create(5, image_count=7)
    last_pk = image_counts_rederive(chunk_size=2, seconds=0)
    assert last_pk == products[1]
    counts = list(Product.objects.order_by("pk").values_list("image_count", flat=True))
    assert counts == [0, 0, 7, 7, 7]
    assert image_counts_rederive(after_pk=last_pk, chunk_size=2) is None
    assert set(Product.objects.values_list("image_count", flat=True)) == {0}


def peak_memory(walk: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        walk()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def naive_walk() -> None:
    """What the batch avoids: the whole table in one list."""
    products = list(Product.objects.values_list("pk", "image_count"))
    assert len(products) == ROWS


def test_memory_stays_flat_where_loading_everything_does_not() -> None:
    products_create(ROWS, image_count=1, stale_every=10)
    batched = peak_memory(image_counts_rederive)
    assert set(Product.objects.values_list("image_count", flat=True)) == {0}
    naive = peak_memory(naive_walk)
    assert batched < MEMORY_BOUND, f"batch peaked at {batched / 2**20:.1f} MiB"
    assert naive > MEMORY_BOUND, f"the naive walk peaked at {naive / 2**20:.1f} MiB only"
