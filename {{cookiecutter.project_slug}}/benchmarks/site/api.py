"""Benchmark-only API operations, on a NinjaAPI of their own (never in the service's API).

``bare`` is the ceiling of an API operation: ninja's dispatch and the same
middleware, no database, no cache. ``product_list_validated`` is the product
page through ninja's response validation and JSON renderer
(``response=ProductPage``): what the shop's list would cost if it returned its
rows as data instead of bytes encoded once, the measure behind that choice
(benchmarks/README.md).
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from {{ cookiecutter.project_slug }}.core.api.pagination import keyset_page
from {{ cookiecutter.project_slug }}.shop.schemas import ProductPage
from {{ cookiecutter.project_slug }}.shop.selectors import product_list_rows

api = NinjaAPI(urls_namespace="bench-api", docs_url=None, openapi_url=None)
BARE_BODY = b'{"status":"ok"}'


@api.get("/bare")
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BARE_BODY, content_type="application/json")


@api.get("/products/validated", response=ProductPage)
def product_list_validated(
    request: HttpRequest, limit: int = settings.API_PAGE_SIZE
) -> dict[str, Any]:
    rows, next_cursor = keyset_page(
        product_list_rows(), after=0, limit=limit, key=lambda row: row["id"]
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
    return {"items": items, "next": next_cursor}
