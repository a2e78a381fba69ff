"""JSON views of the shop. Reads come from shop.selectors; each view only serializes.

Each serializer writes exactly the fields its page shows. Bodies are encoded
once, to bytes, so the cached list can store and serve them as they are.
"""

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from {{ cookiecutter.project_slug }}.core.cache import get_or_compute
from {{ cookiecutter.project_slug }}.shop.cache_keys import (
    PRODUCT_PAGE_TIMEOUT,
    PRODUCTS,
)
from {{ cookiecutter.project_slug }}.shop.models import Product
from {{ cookiecutter.project_slug }}.shop.selectors import (
    ProductWithRelations,
    product_list_rows,
    products_for_detail,
)

# A page never returns an unbounded number of rows.
LIST_LIMIT = 1000


def json_bytes(data: object) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(body: bytes) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


def product_list_body() -> bytes:
    """The encoded list: only what the page shows, straight from the selector's dicts."""
    products = [
        {
            "id": row["id"],
            "name": row["name"],
            "slug": row["slug"],
            "price": str(row["price"]),
            "brand": row["brand_name"],
            "categories": row["category_names"],
            "images": row["image_urls"],
        }
        for row in product_list_rows()[:LIST_LIMIT]
    ]
    return json_bytes({"products": products})


@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    return json_response(product_list_body())


@require_GET
def product_list_cached(request: HttpRequest) -> HttpResponse:
    """The list from the shared cache: the encoded bytes, served without re-encoding."""
    body = get_or_compute(PRODUCTS.entry("list"), product_list_body, timeout=PRODUCT_PAGE_TIMEOUT)
    return json_response(body)


@require_GET
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product: ProductWithRelations = get_object_or_404(products_for_detail(), pk=pk)
    body = {
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
    return json_response(json_bytes(body))


@require_GET
def product_stock(request: HttpRequest) -> HttpResponse:
    """Stock levels for a storefront that polls them: two columns, one query.

    values() returns plain dicts of exactly these columns. The pitfall it
    avoids: ``only("id", "stock")`` returns model instances with every other
    field deferred, and touching one later (``product.name`` in a template or
    serializer) silently costs one query per row.
    """
    rows = Product.objects.order_by("id").values("id", "stock")[:LIST_LIMIT]
    return json_response(json_bytes({"stock": list(rows)}))
