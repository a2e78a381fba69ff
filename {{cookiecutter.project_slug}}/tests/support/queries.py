"""assert_queries_flat: prove that a view's query count does not grow with the data.

Why sizes and not one count: a test written after the fact asserts whatever
count the code had, N+1 included (at 1 row, an N+1 list costs 2 queries and
looks fine). Calling the same code at 1, 10 and 50 rows and requiring the same
count catches it, and catches the subtle ones (a deferred field, an ``only()``
that dropped a join key) that a fixed number would have blessed.

Every list and detail view gets one such test::

    def test_product_list_is_flat(client):
        assert_queries_flat(
            populate=lambda size: generate_catalog(products=size),
            call=lambda _: client.get("/shop/products/"),
        )

Pass ``populate`` a function that creates ``size`` rows of what the view
lists (or ``size`` related rows of what it details) and ``call`` the request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext

T = TypeVar("T")

SIZES = (1, 10, 50)


def _listing(size: int, captured: CaptureQueriesContext) -> str:
    lines = [f"--- {len(captured)} queries at size {size}:"]
    lines += [f"{index}. {query['sql']}" for index, query in enumerate(captured, 1)]
    return "\n".join(lines)


def assert_queries_flat(
    *,
    populate: Callable[[int], T],
    call: Callable[[T], object],
    sizes: Sequence[int] = SIZES,
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """Run ``call`` after ``populate(size)`` for each size; the query count must not change.

    ``populate(size)`` creates the rows for one size (``size`` products for a
    list, one product with ``size`` images for a detail) and returns what
    ``call`` needs (e.g. the pk). Each size runs in a savepoint that is rolled
    back, so every size starts from the same data. Only ``call`` is measured.
    On a change, the error lists the SQL of the smallest size and of the first
    size that differs. Returns the (constant) count, to pin it if you like.
    """
    if len(sizes) < 2:  # one size cannot show growth
        raise ValueError("assert_queries_flat needs at least two sizes, e.g. (1, 10, 50).")
    baseline: tuple[int, CaptureQueriesContext] | None = None
    for size in sizes:
        with transaction.atomic(using=using):
            arguments = populate(size)
            with CaptureQueriesContext(connections[using]) as captured:
                call(arguments)
            transaction.set_rollback(True, using=using)
        if baseline is None:
            baseline = (size, captured)
        elif len(captured) != len(baseline[1]):
            raise AssertionError(
                f"The query count grows with the data: {len(baseline[1])} queries at size "
                f"{baseline[0]}, {len(captured)} at size {size} (an N+1?).\n"
                f"{_listing(*baseline)}\n{_listing(size, captured)}"
            )
    assert baseline is not None  # sizes is not empty (checked above)
    return len(baseline[1])
