"""order_place: all or nothing, stock checked on locked rows, confirmation enqueued on commit."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

import kombu.exceptions
import pytest
from django.conf import settings
from django.db import transaction
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from {{ cookiecutter.project_slug }}.dead_letters.models import DeadLetter
from {{ cookiecutter.project_slug }}.dead_letters.services import dead_letters_replay
from {{ cookiecutter.project_slug }}.shop.cache_keys import PRODUCTS
from {{ cookiecutter.project_slug }}.shop.models import (
    Brand,
    Order,
    OrderLine,
    Product,
)
from {{ cookiecutter.project_slug }}.shop.services import (
    OrderError,
    OutOfStockError,
    order_place,
    product_change_price,
    stock_decrement,
)
from {{ cookiecutter.project_slug }}.shop.tasks import order_confirm

from tests.support.broker import queue_take_all

pytestmark = pytest.mark.django_db

CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def products() -> list[Product]:
    brand = Brand.objects.create(name="Acme", slug="acme")
    return [
        Product.objects.create(
            brand=brand, name=f"P{index}", slug=f"p{index}", price=Decimal("2.50"), stock=5
        )
        for index in range(3)
    ]


def test_places_order_and_decrements_stock(products: list[Product]) -> None:
    first, second, _ = products
    order = order_place(customer_email="a@example.com", quantities={first.pk: 2, second.pk: 5})
    assert order.total == Decimal("17.50")
    assert sorted(order.lines.values_list("product_id", "quantity")) == [
        (first.pk, 2),
        (second.pk, 5),
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.stock, second.stock) == (3, 0)


def test_short_stock_leaves_nothing_behind(products: list[Product]) -> None:
    first, second, _ = products
    with pytest.raises(OutOfStockError) as caught:
        order_place(customer_email="a@example.com", quantities={first.pk: 1, second.pk: 6})
    assert caught.value.product_id == second.pk
    assert (caught.value.requested, caught.value.available) == (6, 5)
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0
    assert list(Product.objects.order_by("pk").values_list("stock", flat=True)) == [5, 5, 5]


@pytest.mark.parametrize("quantities", [{}, {1: 0}, {1: -2}])
def test_empty_or_non_positive_quantities_are_refused(quantities: dict[int, int]) -> None:
    with pytest.raises(OrderError, match="positive quantity"):
        order_place(customer_email="a@example.com", quantities=quantities)


def test_unknown_product_is_refused(products: list[Product]) -> None:
    with pytest.raises(OrderError, match="Unknown products"):
        order_place(customer_email="a@example.com", quantities={products[0].pk: 1, 999_999: 1})
    assert Order.objects.count() == 0


def test_query_count_does_not_grow_with_the_number_of_products(
    products: list[Product], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # Savepoint (the test runs in a transaction), lock, insert order, insert lines,
    # update stock, release savepoint: the same six for one product or three.
    with django_assert_num_queries(6):
        order_place(customer_email="a@example.com", quantities={products[0].pk: 1})
    with django_assert_num_queries(6):
        order_place(
            customer_email="a@example.com",
            quantities={product.pk: 1 for product in products},
        )


def test_stock_decrement_is_one_update_computed_in_sql(
    products: list[Product], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    first, second, third = products
    untouched_since = third.updated_at
    Product.objects.filter(pk=first.pk).update(stock=4)  # sold elsewhere since `first` was read
    with django_assert_num_queries(1):
        changed = stock_decrement({first.pk: 2, second.pk: 3})
    assert changed == 2
    assert list(Product.objects.order_by("pk").values_list("stock", flat=True)) == [
        2,
        2,
        5,
    ]  # 4-2, not 5-2
    third.refresh_from_db()
    assert third.updated_at == untouched_since, "rows not named are not touched"


def test_price_change_invalidates_cached_pages_on_commit(
    products: list[Product], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    before = PRODUCTS.version()
    with django_capture_on_commit_callbacks(execute=True):
        product_change_price(product_id=products[0].pk, price=Decimal("7.00"))
        assert PRODUCTS.version() == before  # not before the commit
    assert PRODUCTS.version() != before
    products[0].refresh_from_db()
    assert products[0].price == Decimal("7.00")


def test_rolled_back_price_change_keeps_cached_pages(
    products: list[Product], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    before = PRODUCTS.version()

    def change_then_fail() -> None:
        with transaction.atomic():
            product_change_price(product_id=products[0].pk, price=Decimal("7.00"))
            raise OrderError("something later in the same transaction failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(OrderError):
        change_then_fail()
    assert callbacks == []
    assert PRODUCTS.version() == before


def test_negative_price_is_refused(products: list[Product]) -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        product_change_price(product_id=products[0].pk, price=Decimal(-1))


@pytest.mark.usefixtures("task_queue")
def test_confirmation_is_enqueued_once_after_commit(
    products: list[Product], django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = order_place(customer_email="a@example.com", quantities={products[0].pk: 1})
        assert queue_take_all() == [], "nothing may reach the broker before commit"
    assert len(callbacks) == 1
    callbacks[0]()  # what the commit runs
    # The real broker holds exactly one message: the task, with the order's id.
    assert queue_take_all() == [(order_confirm.name, [order.pk])]


@pytest.mark.usefixtures("task_queue")
def test_a_confirmation_the_broker_refuses_is_a_dead_letter_not_an_error(
    products: list[Product],
    django_capture_on_commit_callbacks: CaptureCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After the commit the order stands: a refused send must not raise (the client would
    get a 500 for a placed order) nor vanish: it waits for dead_letters_replay."""

    def refused(*args: object, **kwargs: object) -> None:
        raise kombu.exceptions.OperationalError("Error 111 connecting to the broker")

    monkeypatch.setattr(order_confirm, "apply_async", refused)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place(customer_email="a@example.com", quantities={products[0].pk: 1})
    letter = DeadLetter.objects.get()
    assert (letter.task_name, letter.args, letter.retries) == (order_confirm.name, [order.pk], 0)
    assert letter.exception_type == "kombu.exceptions.OperationalError"
    assert letter.queue == settings.CELERY_TASK_DEFAULT_QUEUE
    monkeypatch.undo()  # the broker is back: the replay sends it
    with django_capture_on_commit_callbacks(execute=True):
        dead_letters_replay(ids=[letter.pk])
    assert queue_take_all() == [(order_confirm.name, [order.pk])]


class RollbackError(Exception):
    pass


def order_place_then_roll_back(product: Product) -> None:
    with transaction.atomic():
        order_place(customer_email="a@example.com", quantities={product.pk: 1})
        raise RollbackError


@pytest.mark.usefixtures("task_queue")
def test_rolled_back_order_enqueues_nothing(
    products: list[Product], django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RollbackError),
    ):
        order_place_then_roll_back(products[0])
    assert callbacks == []
    assert queue_take_all() == []
    assert Order.objects.count() == 0
