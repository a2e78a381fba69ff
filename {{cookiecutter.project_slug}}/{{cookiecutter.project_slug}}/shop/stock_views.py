"""The stock level of one product as JSON: one indexed query, nothing else.

The smallest real view of the shop. benchmarks/connections.py serves it to
measure what connection handling costs per request when the view itself is cheap.
"""

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from {{ cookiecutter.project_slug }}.shop.models import Product


@require_GET
def product_stock(request: HttpRequest, pk: int) -> JsonResponse:
    product = get_object_or_404(Product.objects.only("pk", "stock"), pk=pk)
    return JsonResponse({"id": product.pk, "stock": product.stock})
