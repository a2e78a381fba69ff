"""Routes of the example shop, mounted under /shop/."""

from django.urls import URLPattern, URLResolver

app_name = "shop"
urlpatterns: list[URLPattern | URLResolver] = []
