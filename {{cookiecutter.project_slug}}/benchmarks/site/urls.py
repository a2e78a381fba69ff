"""The service's routes plus the benchmark-only ones under /bench/."""

from django.urls import URLPattern, URLResolver, include, path

from benchmarks.site import views
from benchmarks.site.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare/", views.bare),
    path("bench/bare-list/", views.bare_list),
    path("bench/products/naive/", views.product_list_naive),
    path("bench/products/prefetch/", views.product_list_prefetch),
    path("bench/products/uncached/", views.product_list_uncached),
    path("bench/products/<int:pk>/stock/", views.product_stock_level),
    path("bench/brands/<slug:slug>/write/", views.brand_write),
    path("bench/brands/<slug:slug>/", views.brand_read),
    path("bench/products/<int:pk>/delivery-blocking/", views.product_delivery_blocking),
    path("bench/api/", api.urls),
    path("", include("config.urls")),
]
