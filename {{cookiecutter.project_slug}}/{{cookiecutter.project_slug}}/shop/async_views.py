"""Async views: independent I/O gathered concurrently, the event loop never blocked.

Why: under ASGI one event loop serves every request of a worker, so one
blocking call (requests, a sync ORM query, time.sleep) inside an async view
stalls all of them. The rules followed here:

- reads use the async ORM (``afirst``, ``async for``);
- sync-only code goes through ``sync_to_async``: with ``thread_sensitive=False``
  for code that touches no database (the HTTP call runs in a pool thread,
  overlapping the queries), with the default ``thread_sensitive=True`` for
  database work, so a transaction and its connection stay on one thread;
- independent I/O is awaited together with ``asyncio.gather``.

Django 5.2's async ORM still runs a request's queries one after another in one
sync thread: what overlaps here is the queries and the external call. Calls
made with ``thread_sensitive=False`` share the loop's default executor
(min(32, CPUs + 4) threads per process); keep ``HTTP_POOL_MAXSIZE`` at least
that large so no call waits for a connection. Serve
these views with uvicorn (``make run-asgi``); under WSGI they work but gain
nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from {{ cookiecutter.project_slug }}.shop.clients import (
    ShippingRatesError,
    shipping_rates_fetch,
)
from {{ cookiecutter.project_slug }}.shop.models import Product, ProductImage
from {{ cookiecutter.project_slug }}.shop.services import (
    OrderError,
    OutOfStockError,
    order_place,
)

logger = logging.getLogger(__name__)


async def _image_urls(product_id: int) -> list[str]:
    return [
        url
        async for url in ProductImage.objects.filter(product_id=product_id).values_list(
            "url", flat=True
        )
    ]


async def _shipping(country: str, postal_code: str) -> dict[str, Any]:
    """Rates, or none: a failing carrier API must not fail the product page."""
    fetch = sync_to_async(shipping_rates_fetch, thread_sensitive=False)
    try:
        rates = await fetch(country=country, postal_code=postal_code)
    except ShippingRatesError:
        logger.warning("Shipping rates unavailable for %s %s", country, postal_code, exc_info=True)
        return {"available": False, "rates": []}
    return {
        "available": True,
        "rates": [
            {
                "carrier": rate.carrier,
                "service": rate.service,
                "amount": str(rate.amount),
                "currency": rate.currency,
                "days": rate.days,
            }
            for rate in rates
        ],
    }


@require_GET
async def product_delivery(request: HttpRequest, pk: int) -> JsonResponse:
    """A product, its images and its shipping rates to ?country=&postal_code=, fetched at once."""
    country = request.GET.get("country", "")
    postal_code = request.GET.get("postal_code", "")
    if not country or not postal_code:
        return JsonResponse(
            {"error": "Query parameters country and postal_code are required."}, status=400
        )
    product, images, shipping = await asyncio.gather(
        Product.objects.select_related("brand").filter(pk=pk).afirst(),
        _image_urls(pk),
        _shipping(country, postal_code),
    )
    if product is None:
        raise Http404("No such product.")
    return JsonResponse(
        {
            "product": {
                "id": product.pk,
                "name": product.name,
                "brand": product.brand.name,
                "price": str(product.price),
                "in_stock": product.stock > 0,
            },
            "images": images,
            "shipping": shipping,
        }
    )


ORDER_FORM = 'Expected JSON {"email": "...", "lines": {"<product id>": <quantity>, ...}}.'


def _order_request(body: bytes) -> tuple[str, dict[int, int]]:
    data = json.loads(body)
    email = data["email"]
    validate_email(email)
    return email, {int(product_id): int(quantity) for product_id, quantity in data["lines"].items()}


@require_POST
async def order_create(request: HttpRequest) -> JsonResponse:
    """Place an order: the sync-only transaction runs behind sync_to_async."""
    try:
        email, quantities = _order_request(request.body)
    except (ValueError, KeyError, TypeError, AttributeError, ValidationError):
        return JsonResponse({"error": ORDER_FORM}, status=400)
    try:
        # thread_sensitive (the default): the whole transaction runs on the one
        # thread that owns this request's database connection.
        order = await sync_to_async(order_place)(customer_email=email, quantities=quantities)
    except OutOfStockError as error:
        return JsonResponse({"error": str(error)}, status=409)
    except OrderError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"id": order.pk, "total": str(order.total)}, status=201)
