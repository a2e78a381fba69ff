"""Writes of the shop: each service is one transaction with keyword-only arguments.

Reads live in selectors; side effects (mail, HTTP) run in tasks enqueued after
commit, never inside the transaction.
"""

from collections.abc import Mapping
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.db.models import F

from {{ cookiecutter.project_slug }}.shop.models import Order, OrderLine, Product
from {{ cookiecutter.project_slug }}.shop.tasks import order_confirm


class OrderError(Exception):
    """A domain error: the order cannot be placed as asked. Nothing was written."""


class OutOfStockError(OrderError):
    def __init__(self, product_id: int, requested: int, available: int) -> None:
        self.product_id = product_id
        self.requested = requested
        self.available = available
        super().__init__(f"Product {product_id}: {requested} requested, only {available} in stock.")


@transaction.atomic
def order_place(*, customer_email: str, quantities: Mapping[int, int]) -> Order:
    """Place one order for several products, or nothing at all.

    The product rows are locked with SELECT ... FOR UPDATE in primary-key order:
    two orders sharing products always lock them in the same order, so they
    queue instead of deadlocking. Stock is checked and decremented on the
    locked values, so concurrent orders can never oversell. The confirmation
    task is enqueued only once the order is committed, with its id: never for
    an order that was rolled back, never before the worker can read it.
    """
    if not quantities or any(quantity <= 0 for quantity in quantities.values()):
        raise OrderError("An order needs at least one product, each with a positive quantity.")
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
    for product_id, quantity in quantities.items():
        if products[product_id].stock < quantity:
            raise OutOfStockError(product_id, quantity, products[product_id].stock)

    order = Order.objects.create(customer_email=customer_email)
    lines = [
        OrderLine(
            order=order,
            product_id=product_id,
            quantity=quantity,
            unit_price=products[product_id].price,
        )
        for product_id, quantity in sorted(quantities.items())
    ]
    OrderLine.objects.bulk_create(lines)
    for product_id, quantity in quantities.items():
        # F() keeps the decrement in SQL; the row lock makes the checked value current.
        Product.objects.filter(pk=product_id).update(stock=F("stock") - quantity)
    order.total = sum((line.unit_price * line.quantity for line in lines), Decimal("0.00"))
    order.save(update_fields=["total"])
    transaction.on_commit(partial(order_confirm.delay, order.pk))
    return order
