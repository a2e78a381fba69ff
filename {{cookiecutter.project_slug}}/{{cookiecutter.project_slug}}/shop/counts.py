"""Product.image_count, a denormalized count kept current in two ways.

One product after one of its images changed (shop.signals schedules it), and
the whole table in a batch that re-derives every count, because bulk writes
(bulk_create, queryset.update) send no signals. The batch walks the table with
core.batching.chunks_by_pk and writes each chunk in a few bulk UPDATEs, so its
memory does not grow with the table whatever the database pooling mode.
"""

import logging
import time
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from {{ cookiecutter.project_slug }}.core.batching import chunks_by_pk
from {{ cookiecutter.project_slug }}.shop.models import Product, ProductImage

logger = logging.getLogger(__name__)

# Rows per query and per bulk_update: memory is bounded by this, not by the table.
CHUNK_SIZE = 1000


def product_image_count_update(*, product_ids: Iterable[int]) -> int:
    """Recount the images of a few products in one UPDATE; returns the rows updated."""
    images = (
        ProductImage.objects.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Product.objects.filter(pk__in=list(product_ids)).update(
        image_count=Coalesce(Subquery(images), 0)
    )


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
    for chunk in chunks_by_pk(remaining.only("pk", "image_count"), size=chunk_size):
        counts = dict(
            # A pk range, not IN (1,000 ids): the chunk is every product in that range.
            ProductImage.objects.filter(product_id__gte=chunk[0].pk, product_id__lte=chunk[-1].pk)
            .order_by()
            .values("product_id")
            .annotate(total=Count("pk"))
            .values_list("product_id", "total")
        )
        # One UPDATE per distinct new count in the chunk (a handful): bulk_update would
        # build a CASE with one branch per row, about a hundred times slower here.
        stale: dict[int, list[int]] = defaultdict(list)
        for product in chunk:
            count = counts.get(product.pk, 0)
            if product.image_count != count:
                stale[count].append(product.pk)
        for count, product_ids in stale.items():
            Product.objects.filter(pk__in=product_ids).update(image_count=count)
        done += len(chunk)
        changed += sum(len(product_ids) for product_ids in stale.values())
        logger.info("Image counts: %d/%d products checked, %d corrected", done, total, changed)
        if deadline is not None and time.monotonic() > deadline:
            return chunk[-1].pk
    return None
