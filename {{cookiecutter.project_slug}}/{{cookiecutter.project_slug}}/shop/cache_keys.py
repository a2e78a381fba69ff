"""The shop's cache namespaces (keys are built by core.cache, never by hand).

Any saved change to products, brands, categories or images (shop/signals.py)
and every bulk write service invalidates ``PRODUCTS`` after commit, which drops
every cached product page at once.
"""

from {{ cookiecutter.project_slug }}.core.cache import Namespace

PRODUCTS = Namespace("shop.products")
# Seconds a cached product page lives (jittered) if nothing invalidates it first.
PRODUCT_PAGE_TIMEOUT = 300
