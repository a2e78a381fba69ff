"""The service's routes plus two benchmark-only views under /bench/."""

from django.urls import URLPattern, URLResolver, include, path

from benchmarks.server import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare/", views.bare),
    path("bench/bare-list/", views.bare_list),
    path("bench/products/naive/", views.product_list_naive),
    path("bench/products/prefetch/", views.product_list_prefetch),
    path("", include("config.urls")),
]
