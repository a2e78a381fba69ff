"""Routes of the example shop, mounted under /shop/."""

from django.urls import URLPattern, URLResolver, path

from {{ cookiecutter.project_slug }}.shop import async_views, stock_views

app_name = "shop"
urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "products/<int:pk>/stock/",
        stock_views.product_stock,
        name="product-stock-level",
    ),
]

# --- Async views (shop/async_views.py): served concurrently under ASGI (make run-asgi) ---
urlpatterns += [
    path(
        "products/<int:pk>/delivery/",
        async_views.product_delivery,
        name="product-delivery",
    ),
    path("orders/", async_views.order_create, name="order-create"),
]
