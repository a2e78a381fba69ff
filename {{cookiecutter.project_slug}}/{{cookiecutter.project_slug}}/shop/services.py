"""Writes of the shop: each service is one transaction with keyword-only arguments.

Reads live in selectors; side effects (mail, HTTP) run in tasks enqueued after
commit, never inside the transaction.
"""

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, F, PositiveIntegerField, When
from django.db.models.functions import Now

from {{ cookiecutter.project_slug }}.dead_letters.services import send_on_commit
from {{ cookiecutter.project_slug }}.shop.cache_keys import PRODUCTS
from {{ cookiecutter.project_slug }}.shop.models import Order, OrderLine, Product
from {{ cookiecutter.project_slug }}.shop.tasks import order_confirm
from {{ cookiecutter.project_slug }}.users.models import User


class OrderError(Exception):
    """A domain error: the order cannot be placed as asked. Nothing was written."""


class OutOfStockError(OrderError):
    def __init__(self, product_id: int, requested: int, available: int) -> None:
        self.product_id = product_id
        self.requested = requested
        self.available = available
        super().__init__(f"Product {product_id}: {requested} requested, only {available} in stock.")


@transaction.atomic
def order_place(
    *, customer_email: str, quantities: Mapping[int, int], placed_by: User | None = None
) -> Order:
    """Place one order for several products, or nothing at all.

    The product rows are locked with SELECT ... FOR UPDATE in primary-key order:
    two orders sharing products always lock them in the same order, so they
    queue instead of deadlocking. Stock is checked on the locked values and
    decremented in SQL, so concurrent orders can never oversell. A fixed number
    of queries whatever the number of products: one lock, two inserts, one update.
    The confirmation task is enqueued only once the order is committed, with its
    id: never for an order that was rolled back, never before the worker can read it.
    """
    if not quantities or any(quantity <= 0 for quantity in quantities.values()):
        raise OrderError("An order needs at least one product, each with a positive quantity.")
    wanted = sorted(quantities.items())  # one deterministic order for checks and lines
    products = {
        product.pk: product
        for product in Product.objects.select_for_update()
        .filter(pk__in=quantities)
        .order_by("pk")
        .only("pk", "price", "stock")
    }
    missing = sorted(set(quantities) - set(products))
    if missing:
        raise OrderError(f"Unknown products: {missing}.")
    for product_id, quantity in wanted:
        if products[product_id].stock < quantity:
            raise OutOfStockError(product_id, quantity, products[product_id].stock)

    total = sum(
        (products[product_id].price * quantity for product_id, quantity in wanted),
        Decimal("0.00"),
    )
    order = Order.objects.create(customer_email=customer_email, total=total, placed_by=placed_by)
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product_id=product_id,
            quantity=quantity,
            unit_price=products[product_id].price,
        )
        for product_id, quantity in wanted
    )
    stock_decrement(quantities)
    send_on_commit(order_confirm, order.pk)
    return order


def stock_decrement(quantities: Mapping[int, int]) -> int:
    """Take stock off several products in one UPDATE; returns the rows changed.

    update() with F() computes in SQL on the current row, so no stale value read
    earlier can be written back, and no model save() rewrites unrelated columns.
    Callers lock the rows first (order_place does); the CHECK constraint on
    stock refuses a negative result even if one does not.
    """
    return Product.objects.filter(pk__in=quantities).update(
        stock=Case(
            *(
                When(pk=product_id, then=F("stock") - quantity)
                for product_id, quantity in quantities.items()
            ),
            default=F("stock"),
            output_field=PositiveIntegerField(),
        ),
        updated_at=Now(),
    )


@transaction.atomic
def product_change_price(*, product_id: int, price: Decimal) -> None:
    """Set a product's price; cached product pages are dropped once the change commits.

    Invalidating before the commit would let a concurrent request re-cache the
    old price from the not-yet-committed state; on rollback nothing changed.
    """
    if price < 0:
        raise ValueError(f"A price cannot be negative (got {price}).")
    updated = Product.objects.filter(pk=product_id).update(price=price)
    if not updated:
        raise Product.DoesNotExist(f"No product with id {product_id}.")
    PRODUCTS.invalidate_on_commit()
