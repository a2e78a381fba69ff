"""The load test's users: a storefront and an API client, as locust drives them.

Started by benchmarks/loadtest.py (``make loadtest``), which seeds the
catalog and an API key and passes them in LOADTEST_API_KEY and
LOADTEST_PRODUCTS ("first-last" product ids). Each request is named by its
route, so locust's table lines up with ``manage.py route_report``'s.
"""

import os
import random
from typing import Any

from locust import HttpUser, between, task

API_KEY = os.environ.get("LOADTEST_API_KEY", "")
FIRST, LAST = (int(bound) for bound in os.environ.get("LOADTEST_PRODUCTS", "1-1").split("-"))


class Shopper(HttpUser):
    wait_time = between(0.05, 0.2)

    def product_id(self) -> int:
        return random.randint(FIRST, LAST)

    @task(10)
    def cached_first_page(self) -> None:
        """The storefront's landing page: the same cached bytes for everyone."""
        self.client.get("/api/v1/products", name="api/v1/products (first page)")

    @task(3)
    def walk_pages(self) -> None:
        """A crawler's walk: each next page once cold, then from the cache."""
        cursor: Any = None
        for _ in range(3):
            query = f"?cursor={cursor}" if cursor else ""
            page = self.client.get(f"/api/v1/products{query}", name="api/v1/products (next pages)")
            cursor = page.json().get("next") if page.ok else None
            if not cursor:
                return

    @task(6)
    def detail(self) -> None:
        self.client.get(f"/api/v1/products/{self.product_id()}", name="api/v1/products/<id>")

    @task(2)
    def stock(self) -> None:
        self.client.get("/api/v1/products/stock", name="api/v1/products/stock")

    @task(1)
    def order(self) -> None:
        """An API client's write: authenticated, one line, locked stock row."""
        self.client.post(
            "/api/v1/orders",
            json={
                "email": "load@example.com",
                "lines": [{"product_id": self.product_id(), "quantity": 1}],
            },
            headers={"Authorization": f"Bearer {API_KEY}"},
            name="api/v1/orders",
        )
