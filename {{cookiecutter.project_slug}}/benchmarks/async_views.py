"""Async view vs. its loop-blocking twin under ASGI (uvicorn), against a slow external API.

Both views read the same product and ask the same stub shipping-rate API on
127.0.0.1, which answers after STUB_DELAY seconds. shop.api runs the
call off the event loop (sync_to_async) alongside the queries; the twin in
benchmarks/site/views.py calls it on the loop, so each worker serves one such
request at a time. Prints req/s and latency for each; asserts nothing.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from benchmarks.load import benchmark_run, drive, serve, shell

from tests.support.loopback import HOST

STUB_DELAY = 0.05  # seconds the stub API takes per answer
CLIENTS = 16
SECONDS = 8.0
MAX_REQUESTS = 5000
WORKERS = 2
RATES = json.dumps(
    {
        "rates": [
            {"carrier": "DHL", "service": "standard", "amount": 4.9, "currency": "EUR", "days": 3}
        ]
    }
).encode()
SEED = """
from decimal import Decimal
from {{ cookiecutter.project_slug }}.shop.models import Brand, Product, ProductImage
brand, _ = Brand.objects.get_or_create(slug="bench-delivery", defaults={"name": "Bench"})
product, created = Product.objects.get_or_create(
    slug="bench-delivery", defaults={"brand": brand, "name": "Parcel", "price": Decimal("9.99"), "stock": 5}
)
if created:
    ProductImage.objects.bulk_create(
        ProductImage(product=product, url=f"https://img.example.com/{n}.jpg", position=n) for n in range(3)
    )
print(product.pk)
"""


@contextmanager
def stub_api() -> Iterator[str]:
    """The shipping-rate API on loopback: a fixed delay, then the same answer."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real API behind a pooled session

        def do_GET(self) -> None:
            time.sleep(STUB_DELAY)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(RATES)))
            self.end_headers()
            self.wfile.write(RATES)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet."""

    server = ThreadingHTTPServer((HOST, 0), Handler)
    server.daemon_threads = True  # kept-alive connections end with the process
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/v1/"
    finally:
        server.shutdown()
        server.server_close()


def seed_product(env: dict[str, str]) -> int:
    return int(shell(env, SEED))


def main() -> None:
    with (
        stub_api() as api_url,
        benchmark_run(SHIPPING_API_URL=api_url, HTTP_POOL_MAXSIZE="16") as env,
    ):
        pk = seed_product(env)
        query = "?country=DE&postal_code=10115"
        views = {
            "async (gather + sync_to_async)": f"/api/v1/products/{pk}/delivery{query}",
            "blocking (HTTP call on the loop)": f"/bench/products/{pk}/delivery-blocking/{query}",
        }
        print(
            f"uvicorn, {WORKERS} workers, {CLIENTS} clients, stub API delay "
            f"{STUB_DELAY * 1000:.0f} ms, up to {SECONDS:.0f} s or {MAX_REQUESTS} requests per view"
        )
        with serve(env, asgi=True, workers=WORKERS) as base_url:
            for label, path in views.items():
                drive(base_url, path, clients=2, seconds=2, max_requests=20)  # warm-up
                result = drive(
                    base_url, path, clients=CLIENTS, seconds=SECONDS, max_requests=MAX_REQUESTS
                )
                print(f"{label:34} {result.summary()}")


if __name__ == "__main__":
    main()
