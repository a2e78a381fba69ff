"""The shop's cache namespaces (keys are built by core/cache/, never by hand).

Any saved change to products, brands, categories or images (shop/signals.py)
and every bulk write service invalidates ``PRODUCTS`` after commit, which drops
every cached product page at once.
"""

from {{ cookiecutter.project_slug }}.core.cache import Namespace

# A page is large: each process keeps its own copy of the pages it served, and
# trusts the catalog's version for a second, so a hit asks Redis nothing at all.
# A catalog change reaches other processes' lists within that second (the
# process that made it sees it at once).
PRODUCTS = Namespace("shop.products", local_values=True, version_seconds=1.0)
# Seconds a cached product page lives (jittered) if nothing invalidates it first.
PRODUCT_PAGE_TIMEOUT = 300
