"""The shop's cache namespaces (keys are built by core.cache, never by hand).

Any saved change to products, brands, categories or images (shop/signals.py)
and every bulk write service invalidates ``PRODUCTS`` after commit, which drops
every cached product page at once.
"""

from {{ cookiecutter.project_slug }}.core.cache import Namespace

# A catalog change reaches other processes' lists within a second (the process
# that made it sees it at once): a hit then asks Redis nothing at all.
PRODUCTS = Namespace("shop.products", version_seconds=1.0)
# Seconds a cached product page lives (jittered) if nothing invalidates it first.
PRODUCT_PAGE_TIMEOUT = 300
