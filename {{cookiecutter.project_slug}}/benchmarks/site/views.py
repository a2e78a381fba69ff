"""Baselines and counter-examples the shop's API is measured against; never routed in the service.

Each list serves the first page, of ?limit= products (the API's default page
size when none is given), so every variant returns the same rows:

``bare`` is the ceiling: the same middleware, no database, no cache.
``bare_list`` serves the page's bytes from process memory (computed once, never
invalidated: not a cache to copy): the ceiling for a response that large.
``product_list_naive`` is the list as it is often first written: plain
``.all()`` and attribute access per row, one query per product and relation.
``product_list_prefetch`` is the same list over model instances with
select_related and Prefetch (3 queries): what fewer queries alone buys.
``product_list_uncached`` is the shop's own page (one values() query) without
the cache: what the cache buys on top.
``product_stock_level`` is the smallest real view (one indexed query): what
connection handling costs when the view itself is cheap.
``brand_write`` / ``brand_read`` are a write and its read-back
(benchmarks/replicas.py): does a client read what it just wrote?
``product_delivery_blocking`` is shop.api.product_delivery done wrong: the
HTTP call made on the event loop, stalling every request of its worker.
"""

import functools
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from {{ cookiecutter.project_slug }}.shop.api import (
    json_bytes,
    json_response,
    product_page_body,
)
from {{ cookiecutter.project_slug }}.shop.clients import shipping_rates_fetch
from {{ cookiecutter.project_slug }}.shop.models import Brand, Product, ProductImage
from {{ cookiecutter.project_slug }}.shop.selectors import (
    ProductWithRelations,
    products_with_relations,
)

BARE_BODY = json_bytes({"status": "ok"})


def page_size(request: HttpRequest) -> int:
    return int(request.GET.get("limit", settings.API_PAGE_SIZE))


def bare(request: HttpRequest) -> HttpResponse:
    return json_response(BARE_BODY)


@functools.cache
def _page_bytes_once(limit: int) -> bytes:
    return product_page_body(after=0, limit=limit)


def bare_list(request: HttpRequest) -> HttpResponse:
    return json_response(_page_bytes_once(page_size(request)))


def product_list_uncached(request: HttpRequest) -> HttpResponse:
    return json_response(product_page_body(after=0, limit=page_size(request)))


def product_list_naive(request: HttpRequest) -> HttpResponse:
    products = [
        {
            "id": product.pk,
            "name": product.name,
            "slug": product.slug,
            "price": str(product.price),
            "brand": product.brand.name,  # one query per product
            "categories": [category.name for category in product.categories.all()],  # and one
            "images": [image.url for image in product.images.all()],  # and one more
        }
        for product in Product.objects.order_by("id")[: page_size(request)]
    ]
    return json_response(json_bytes({"items": products, "next": None}))


def product_summary(product: ProductWithRelations) -> dict[str, Any]:
    return {
        "id": product.pk,
        "name": product.name,
        "slug": product.slug,
        "price": str(product.price),
        "brand": product.brand.name,
        "categories": [category.name for category in product.category_list],
        "images": [image.url for image in product.image_list],
    }


def product_list_prefetch(request: HttpRequest) -> HttpResponse:
    products = [
        product_summary(product)
        for product in products_with_relations().order_by("id")[: page_size(request)]
    ]
    return json_response(json_bytes({"items": products, "next": None}))


def product_stock_level(request: HttpRequest, pk: int) -> HttpResponse:
    row = Product.objects.filter(pk=pk).values("id", "stock").first()
    if row is None:
        raise Http404("No such product.")
    return json_response(json_bytes(row))


@csrf_exempt
def brand_write(request: HttpRequest, slug: str) -> HttpResponse:
    Brand.objects.create(name=slug, slug=slug)
    return json_response(json_bytes({"slug": slug}))


def brand_read(request: HttpRequest, slug: str) -> HttpResponse:
    return json_response(json_bytes({"found": Brand.objects.filter(slug=slug).exists()}))


async def product_delivery_blocking(request: HttpRequest, pk: int) -> JsonResponse:
    product = await Product.objects.select_related("brand").aget(pk=pk)
    images = [image.url async for image in ProductImage.objects.filter(product_id=pk)]
    rates = shipping_rates_fetch(  # blocks every request of this worker meanwhile
        country=request.GET["country"], postal_code=request.GET["postal_code"]
    )
    return JsonResponse(
        {"product": product.name, "images": images, "rates": [str(rate.amount) for rate in rates]}
    )
