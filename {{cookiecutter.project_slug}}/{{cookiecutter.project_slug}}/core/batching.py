"""Walk a large table in chunks whose memory does not grow with the table.

Why keyset pagination and not ``queryset.iterator(chunk_size=...)``: iterator()
streams through a server-side cursor only when the connection allows one.
PgBouncer in transaction mode needs ``DISABLE_SERVER_SIDE_CURSORS``, and then
the driver fetches the WHOLE result before the first row is yielded: memory
grows with the table after all. Here each chunk is its own short query
(``pk > last ORDER BY pk LIMIT size``), so memory stays flat in every pooling
mode, no transaction stays open between chunks, and a stopped walk resumes from
the last primary key it finished.
"""

from collections.abc import Iterator
from typing import TypeVar

from django.db.models import Model, QuerySet

ModelT = TypeVar("ModelT", bound=Model)


def chunks_by_pk(queryset: QuerySet[ModelT], *, size: int) -> Iterator[list[ModelT]]:
    """Yield the queryset's rows in primary-key order, at most ``size`` per list."""
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}.")
    ordered = queryset.order_by("pk")
    page = ordered
    while True:
        chunk = list(page[:size])
        if not chunk:
            return
        yield chunk
        if len(chunk) < size:
            return
        page = ordered.filter(pk__gt=chunk[-1].pk)
