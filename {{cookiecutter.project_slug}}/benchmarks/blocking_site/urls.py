"""The service's routes plus /bench/blocking/<pk>/, the async view done wrong."""

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path

from {{ cookiecutter.project_slug }}.shop.clients import shipping_rates_fetch
from {{ cookiecutter.project_slug }}.shop.models import (
    Product,
    ProductImage,
)


async def product_delivery_blocking(request: HttpRequest, pk: int) -> JsonResponse:
    """shop.async_views.product_delivery's work, but the HTTP call runs on the event loop."""
    product = await Product.objects.select_related("brand").aget(pk=pk)
    images = [image.url async for image in ProductImage.objects.filter(product_id=pk)]
    rates = shipping_rates_fetch(  # blocks every request of this worker meanwhile
        country=request.GET["country"], postal_code=request.GET["postal_code"]
    )
    return JsonResponse(
        {"product": product.name, "images": images, "rates": [str(rate.amount) for rate in rates]}
    )


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/blocking/<int:pk>/", product_delivery_blocking),
    path("", include("config.urls")),
]
