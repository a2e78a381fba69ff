"""Routes of the example shop, mounted under /shop/."""

from django.urls import URLPattern, URLResolver, path

from {{ cookiecutter.project_slug }}.shop import stock_views

app_name = "shop"
urlpatterns: list[URLPattern | URLResolver] = [
    path("products/<int:pk>/stock/", stock_views.product_stock, name="product_stock"),
]
