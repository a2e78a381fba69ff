"""Walk a large table in chunks whose memory does not grow with the table.

Why keyset chunks and not ``queryset.iterator(chunk_size=...)``: iterator()
streams through a server-side cursor only when the connection allows one.
PgBouncer in transaction mode needs ``DISABLE_SERVER_SIDE_CURSORS``, and then
the driver fetches the WHOLE result before the first row is yielded: memory
grows with the table after all. Here each chunk is its own short query
(``pk > last ORDER BY pk LIMIT size``, primary keys only), so memory stays flat
in every pooling mode, no transaction stays open between chunks, and a stopped
walk resumes from the last primary key it finished. Callers then write each
chunk with one bulk UPDATE on the pk range, in SQL, without loading rows
(on an unfiltered walk only: a filtered one must update the chunk's pks, not the range).
"""

from collections.abc import Iterator
from typing import Any

from django.db.models import Model, QuerySet


def pk_chunks(queryset: QuerySet[Model], *, size: int) -> Iterator[list[Any]]:
    """Yield the queryset's primary keys in ascending order, at most ``size`` per list."""
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}.")
    ordered = queryset.order_by("pk").values_list("pk", flat=True)
    page = ordered
    while True:
        chunk = list(page[:size])
        if not chunk:
            return
        yield chunk
        if len(chunk) < size:
            return
        page = ordered.filter(pk__gt=chunk[-1])
