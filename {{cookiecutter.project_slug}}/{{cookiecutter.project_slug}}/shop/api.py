"""The shop's API operations (/api/v1/): reads from selectors, writes through services.

Lists are keyset pages (core/api/pagination.py) encoded once to bytes: the
schema is declared for OpenAPI, and the bytes are what the cached list stores
and serves as they are. Async operations gather independent I/O without
blocking the event loop:

- reads use the async ORM (``afirst``, ``async for``);
- sync-only code goes through ``sync_to_async``: with ``thread_sensitive=False``
  for code that touches no database (the HTTP call runs in a pool thread,
  overlapping the queries), with the default ``thread_sensitive=True`` for
  database work, so a transaction and its connection stay on one thread;
- every check that needs no external call (the input, the product's existence)
  runs before any external call, so a bad request costs no call to anyone.

Calls made with ``thread_sensitive=False`` share the loop's default executor
(min(32, CPUs + 4) threads per process); keep ``HTTP_POOL_MAXSIZE`` at least
that large so no call waits for a connection. Serve the async operations with
uvicorn (``make run-asgi``); under WSGI they work but gain nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Path, Query, Router, Status

from {{ cookiecutter.project_slug }}.core.api.caching import public_cache
from {{ cookiecutter.project_slug }}.core.api.errors import (
    ERROR_RESPONSES,
    WRITE_ERRORS,
    ApiError,
)
from {{ cookiecutter.project_slug }}.core.api.pagination import (
    PageQuery,
    cursor_decode,
    keyset_page,
)
from {{ cookiecutter.project_slug }}.core.api.throttling import throttle_writes
from {{ cookiecutter.project_slug }}.core.cache import get_or_compute
from {{ cookiecutter.project_slug }}.core.telemetry.query_budget import query_budget
from {{ cookiecutter.project_slug }}.shop.cache_keys import PRODUCT_PAGE_TIMEOUT, PRODUCTS
from {{ cookiecutter.project_slug }}.shop.clients import (
    ShippingRatesError,
    shipping_rates_fetch,
)
from {{ cookiecutter.project_slug }}.shop.schemas import (
    Delivery,
    Destination,
    OrderIn,
    OrderOut,
    ProductDetail,
    ProductPage,
    ProductPath,
    StockPage,
)
from {{ cookiecutter.project_slug }}.shop.selectors import (
    ProductWithRelations,
    product_image_urls,
    product_list_rows,
    product_stock_rows,
    products_for_detail,
    products_with_brand,
)
from {{ cookiecutter.project_slug }}.shop.services import (
    OrderError,
    OutOfStockError,
    order_place,
)
from {{ cookiecutter.project_slug }}.users.auth import WRITE_AUTH
from {{ cookiecutter.project_slug }}.users.models import User

logger = logging.getLogger(__name__)
router = Router(tags=["shop"])


def json_bytes(data: object) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(body: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/json")


def product_page_body(*, after: int, limit: int) -> bytes:
    """One encoded page of the list: only what it shows, straight from the selector's dicts."""
    rows, next_cursor = keyset_page(
        product_list_rows(), after=after, limit=limit, key=lambda row: row["id"]
    )
    items = [
        {
            "id": row["id"],
            "name": row["name"],
            "slug": row["slug"],
            "price": str(row["price"]),
            "brand": row["brand_name"],
            "categories": row["category_names"],
            "images": row["image_urls"],
        }
        for row in rows
    ]
    return json_bytes({"items": items, "next": next_cursor})


@router.get("/products", response={200: ProductPage, 304: None, **ERROR_RESPONSES})
@public_cache(PRODUCTS)
@query_budget(1)
def product_list(request: HttpRequest, page: Query[PageQuery]) -> HttpResponse:
    """Products by id, a page at a time, from the shared cache (one small Redis read a hit).

    Public: a CDN may keep each page, and revalidating it costs a 304 that reads
    only the catalog's version (core/api/caching.py).
    """
    after = cursor_decode(page.cursor)
    body = get_or_compute(
        PRODUCTS.entry("list", after, page.size),
        lambda: product_page_body(after=after, limit=page.size),
        timeout=PRODUCT_PAGE_TIMEOUT,
    )
    return json_response(body)


@router.get("/products/stock", response={200: StockPage, **ERROR_RESPONSES})
@query_budget(1)
def product_stock(request: HttpRequest, page: Query[PageQuery]) -> HttpResponse:
    """Stock levels for a storefront that polls them: two columns, one query a page."""
    rows, next_cursor = keyset_page(
        product_stock_rows(),
        after=cursor_decode(page.cursor),
        limit=page.size,
        key=lambda row: row["id"],
    )
    return json_response(json_bytes({"items": list(rows), "next": next_cursor}))


@router.get(
    "/products/{int:product_id}", response={200: ProductDetail, 304: None, **ERROR_RESPONSES}
)
@public_cache(PRODUCTS)
@query_budget(3)
def product_detail(request: HttpRequest, path: Path[ProductPath]) -> dict[str, Any]:
    """One product; public, revalidated by the catalog's version like the list."""
    product: ProductWithRelations | None = products_for_detail().filter(pk=path.product_id).first()
    if product is None:
        raise Http404
    return {
        "id": product.pk,
        "name": product.name,
        "slug": product.slug,
        "description": product.description,
        "price": str(product.price),
        "in_stock": product.stock > 0,
        "brand": {"name": product.brand.name, "slug": product.brand.slug},
        "categories": [
            {"name": category.name, "slug": category.slug} for category in product.category_list
        ],
        "images": [{"url": image.url, "alt": image.alt_text} for image in product.image_list],
    }


async def _image_urls(product_id: int) -> list[str]:
    return [url async for url in product_image_urls(product_id)]


async def _shipping(destination: Destination) -> dict[str, Any]:
    """Rates, or none: a failing carrier API must not fail the product page.

    No retries: a client is waiting, and the back-off between attempts would be
    its wait (a second on a refused connection). An unreachable API costs what
    the failed connect costs, and one log line that names the cause: the failure
    is the carrier's, not a bug of ours, so no traceback.
    """
    fetch = sync_to_async(shipping_rates_fetch, thread_sensitive=False)
    try:
        rates = await fetch(
            country=destination.country, postal_code=destination.postal_code, retries=0
        )
    except ShippingRatesError as error:
        logger.warning(
            "Shipping rates unavailable for %s %s: %s",
            destination.country,
            destination.postal_code,
            error,
        )
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


@router.get("/products/{int:product_id}/delivery", response={200: Delivery, **ERROR_RESPONSES})
@query_budget(2)
async def product_delivery(
    request: HttpRequest, path: Path[ProductPath], destination: Query[Destination]
) -> dict[str, Any]:
    """A product, its images and its shipping rates to a destination.

    The product is read first, so an unknown one is a 404 without calling the
    carrier; then its images and the rates are awaited together.
    """
    product = await products_with_brand().filter(pk=path.product_id).afirst()
    if product is None:
        raise Http404
    images, shipping = await asyncio.gather(_image_urls(product.pk), _shipping(destination))
    return {
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


@router.post("/orders", auth=WRITE_AUTH, response={201: OrderOut, **WRITE_ERRORS})
@query_budget(10)
async def order_create(request: HttpRequest, order_in: OrderIn) -> Status[dict[str, Any]]:
    """Place an order as the authenticated user; the sync-only transaction runs behind sync_to_async."""
    await throttle_writes(request)
    buyer = request.user  # resolved by the authentication that ran before this
    try:
        # thread_sensitive (the default): the whole transaction runs on the one
        # thread that owns this request's database connection.
        order = await sync_to_async(order_place)(
            customer_email=order_in.email,
            quantities=order_in.quantities(),
            placed_by=buyer if isinstance(buyer, User) else None,
        )
    except OutOfStockError as error:
        raise ApiError(409, "out_of_stock", str(error)) from None
    except OrderError as error:
        raise ApiError(422, "unknown_product", str(error)) from None
    return Status(201, {"id": order.pk, "total": str(order.total), "status": order.status})
