"""order_place under real concurrency: many threads, each with its own connection.

The rows are committed (transaction=True) so every thread sees them, and every
thread closes its connection when done. Every wait is bounded: a barrier with
a timeout, and a deadline on the results.
"""

import threading
import time
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from {{ cookiecutter.project_slug }}.shop.models import (
    Brand,
    Order,
    OrderLine,
    Product,
)
from {{ cookiecutter.project_slug }}.shop.services import (
    OutOfStockError,
    order_place,
)

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 24
DEADLINE_SECONDS = 30


def run_at_once(orders: list[Mapping[int, int]]) -> Counter[str]:
    """Place every order from its own thread, all released together; count the outcomes.

    Any other error (a deadlock, a pool timeout) is re-raised by result() and fails the test.
    """
    barrier = threading.Barrier(len(orders), timeout=DEADLINE_SECONDS)

    def place(quantities: Mapping[int, int]) -> str:
        try:
            barrier.wait()
            order_place(customer_email="buyer@example.com", quantities=quantities)
        except OutOfStockError:
            return "out_of_stock"
        finally:
            connection.close()  # this thread's own connection
        return "placed"

    with ThreadPoolExecutor(max_workers=len(orders)) as pool:
        futures = [pool.submit(place, quantities) for quantities in orders]
        return Counter(future.result(timeout=DEADLINE_SECONDS) for future in futures)


def make_products(stocks: list[int]) -> list[Product]:
    brand = Brand.objects.create(name="Acme", slug="acme")
    return [
        Product.objects.create(
            brand=brand,
            name=f"P{index}",
            slug=f"p{index}",
            price=Decimal(f"{index + 1}.25"),
            stock=stock,
        )
        for index, stock in enumerate(stocks)
    ]


def assert_orders_are_whole_and_stock_adds_up(
    products: list[Product], initial: dict[int, int], lines_per_order: int
) -> None:
    for order in Order.objects.prefetch_related("lines"):
        lines = list(order.lines.all())
        assert len(lines) == lines_per_order, "no partial order"
        assert order.total == sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    sold = dict(
        OrderLine.objects.values_list("product_id").annotate(sold=Sum("quantity")).order_by()
    )
    for product in Product.objects.filter(pk__in=[product.pk for product in products]):
        assert product.stock >= 0
        assert initial[product.pk] - product.stock == sold.get(product.pk, 0)


def test_last_units_are_sold_exactly_once() -> None:
    (product,) = make_products([5])
    outcomes = run_at_once([{product.pk: 1}] * THREADS)
    assert outcomes == Counter({"placed": 5, "out_of_stock": THREADS - 5})
    product.refresh_from_db()
    assert product.stock == 0
    assert Order.objects.count() == 5
    assert OrderLine.objects.count() == 5
    assert_orders_are_whole_and_stock_adds_up([product], {product.pk: 5}, lines_per_order=1)


def test_orders_sharing_products_in_opposite_orders_do_not_deadlock() -> None:
    first, second, third = make_products([20, 20, 20])
    forward = {first.pk: 2, second.pk: 1, third.pk: 1}
    backward = {third.pk: 2, second.pk: 1, first.pk: 1}  # the same products, reversed
    outcomes = run_at_once([forward if index % 2 else backward for index in range(THREADS)])
    # Demand (36 of each) exceeds stock (20 of each): some orders must be refused.
    assert outcomes["placed"] + outcomes["out_of_stock"] == THREADS
    assert outcomes["placed"] >= 1
    assert outcomes["out_of_stock"] >= 1
    assert Order.objects.count() == outcomes["placed"]
    initial = {first.pk: 20, second.pk: 20, third.pk: 20}
    assert_orders_are_whole_and_stock_adds_up([first, second, third], initial, lines_per_order=3)


# --- The lock order, made to matter ---

SEQUENTIAL_SCAN = "SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off"
INDEX_SCAN = "SET LOCAL enable_seqscan = off"


def lock_waiters() -> int:
    """Sessions of the test database waiting for a row lock right now."""
    with connection.cursor() as cursor:
        # Called inside a transaction: pg_stat_activity would keep showing what it
        # showed at the first call; the waiter that arrives later would never appear.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        (waiting,) = cursor.fetchone()
    return int(waiting)


def wait_for_waiters(count: int) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while lock_waiters() < count:
        if time.monotonic() > deadline:
            pytest.fail(f"{count} orders never queued for their locks")
        time.sleep(0.02)


def test_orders_whose_plans_scan_in_opposite_orders_do_not_deadlock() -> None:
    """Rows are locked in primary-key order whatever order the plan reads them in.

    PostgreSQL locks the rows of one SELECT ... FOR UPDATE in the order its plan
    returns them: a sequential scan returns them in their physical order, an
    index scan in key order, and an updated row moves to the end of its page.
    Here the first product lies after the second, one order is planned as a
    sequential scan and the other as an index scan, and a third transaction
    holds the second product until both wait. Without ORDER BY on the locking
    query they would lock the two products in opposite orders and deadlock.
    """
    first, second = make_products([10, 10])
    Product.objects.filter(pk=first.pk).update(name="moved")  # now physically after `second`
    outcomes: dict[str, str] = {}

    def place(name: str, plan: str) -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(plan)
                order_place(customer_email="b@example.com", quantities={first.pk: 1, second.pk: 1})
            outcomes[name] = "placed"
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[name] = type(error).__name__
        finally:
            connection.close()

    sequential = threading.Thread(target=place, args=("sequential", SEQUENTIAL_SCAN))
    indexed = threading.Thread(target=place, args=("index", INDEX_SCAN))
    with transaction.atomic():
        Product.objects.select_for_update().filter(pk=second.pk).get()  # held by a third order
        sequential.start()
        wait_for_waiters(1)
        indexed.start()
        wait_for_waiters(2)
    for thread in (sequential, indexed):
        thread.join(timeout=DEADLINE_SECONDS)
    assert outcomes == {"sequential": "placed", "index": "placed"}
