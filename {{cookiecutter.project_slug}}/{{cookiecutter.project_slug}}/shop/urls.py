"""Routes of the example shop, mounted under /shop/."""

from django.urls import URLPattern, URLResolver, path

from {{ cookiecutter.project_slug }}.shop import async_views, views

app_name = "shop"
urlpatterns: list[URLPattern | URLResolver] = [
    path("products/", views.product_list, name="product-list"),
    path("products/cached/", views.product_list_cached, name="product-list-cached"),
    path("products/stock/", views.product_stock, name="product-stock"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
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
