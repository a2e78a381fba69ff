"""Product.image_count, a denormalized count kept current in two ways.

One product after one of its images changed (shop.signals schedules it), and
the whole table in a batch that re-derives every count, because bulk writes
(bulk_create, queryset.update) send no signals. The batch walks the table in
primary-key chunks (core.batching) and corrects each chunk with one UPDATE
that counts in SQL and touches only the rows that are wrong, so its memory does
not grow with the table whatever the database pooling mode.
"""

import logging
import time
from collections.abc import Iterable

from django.db.models import Count, Func, OuterRef, Subquery
from django.db.models.functions import Coalesce

from {{ cookiecutter.project_slug }}.core.database.batching import pk_chunks
from {{ cookiecutter.project_slug }}.shop.models import Product, ProductImage

logger = logging.getLogger(__name__)

# Primary keys per query and rows per UPDATE: memory is bounded by this, not by the table.
CHUNK_SIZE = 1000


def image_count() -> Func:
    """SQL for the number of images of the product in the outer query."""
    images = (
        ProductImage.objects.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(images), 0)


def product_image_count_update(*, product_ids: Iterable[int]) -> int:
    """Recount the images of a few products in one UPDATE; returns the rows updated."""
    return Product.objects.filter(pk__in=list(product_ids)).update(image_count=image_count())


def image_counts_rederive(
    *, after_pk: int = 0, chunk_size: int = CHUNK_SIZE, seconds: float | None = None
) -> int | None:
    """Re-derive image_count for every product with a primary key above ``after_pk``.

    Stops after the chunk during which ``seconds`` ran out and returns the last
    primary key done, so the caller can continue in a new task; returns None
    when the table is done. Logs its progress after every chunk.
    """
    deadline = None if seconds is None else time.monotonic() + seconds
    remaining = Product.objects.filter(pk__gt=after_pk)
    total = remaining.count()
    done = changed = 0
    for chunk in pk_chunks(remaining, size=chunk_size):
        # The chunk is every product in its pk range: one UPDATE, wrong rows only.
        changed += (
            Product.objects.filter(pk__gte=chunk[0], pk__lte=chunk[-1])
            .exclude(image_count=image_count())
            .update(image_count=image_count())
        )
        done += len(chunk)
        logger.info("Image counts: %d/%d products checked, %d corrected", done, total, changed)
        if deadline is not None and time.monotonic() > deadline:
            return int(chunk[-1])
    return None
