"""Baselines and counter-examples the shop's views are measured against; never routed in the service.

``bare`` is the ceiling: the same middleware, no database, no cache.
``bare_list`` serves the list's bytes from process memory (computed once, never
invalidated: not a cache to copy): the ceiling for a response that large.
``product_list_naive`` is the list as it is often first written: plain
``.all()`` and attribute access per row, one query per product and relation.
``product_list_prefetch`` is the same list over model instances with
select_related and Prefetch (3 queries): what fewer queries alone buys, next to
the shop's one-query values() list.
``product_stock_level`` is the smallest real view (one indexed query): what
connection handling costs when the view itself is cheap.
``product_delivery_blocking`` is shop.async_views.product_delivery done wrong:
the HTTP call made on the event loop, stalling every request of its worker.
"""

import functools
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from {{ cookiecutter.project_slug }}.shop.clients import shipping_rates_fetch
from {{ cookiecutter.project_slug }}.shop.models import Product, ProductImage
from {{ cookiecutter.project_slug }}.shop.selectors import (
    ProductWithRelations,
    products_with_relations,
)
from {{ cookiecutter.project_slug }}.shop.views import (
    LIST_LIMIT,
    json_bytes,
    json_response,
    product_list_body,
)

BARE_BODY = json_bytes({"status": "ok"})


def bare(request: HttpRequest) -> HttpResponse:
    return json_response(BARE_BODY)


@functools.cache
def _list_bytes_once() -> bytes:
    return product_list_body()


def bare_list(request: HttpRequest) -> HttpResponse:
    return json_response(_list_bytes_once())


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
        for product in Product.objects.all()[:LIST_LIMIT]
    ]
    return json_response(json_bytes({"products": products}))


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
    products = [product_summary(product) for product in products_with_relations()[:LIST_LIMIT]]
    return json_response(json_bytes({"products": products}))


def product_stock_level(request: HttpRequest, pk: int) -> HttpResponse:
    row = Product.objects.filter(pk=pk).values("id", "stock").first()
    if row is None:
        raise Http404("No such product.")
    return json_response(json_bytes(row))


async def product_delivery_blocking(request: HttpRequest, pk: int) -> JsonResponse:
    product = await Product.objects.select_related("brand").aget(pk=pk)
    images = [image.url async for image in ProductImage.objects.filter(product_id=pk)]
    rates = shipping_rates_fetch(  # blocks every request of this worker meanwhile
        country=request.GET["country"], postal_code=request.GET["postal_code"]
    )
    return JsonResponse(
        {"product": product.name, "images": images, "rates": [str(rate.amount) for rate in rates]}
    )
