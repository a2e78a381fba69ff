"""The shop's API reads: query counts flat in the data and across pages, recorded SQL, the cached list."""

import json
import time
from typing import Any

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_perf_rec import record
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings
from zeal import NPlusOneError, zeal_ignore

from {{ cookiecutter.project_slug }}.shop.cache_keys import PRODUCTS
from {{ cookiecutter.project_slug }}.shop.demo_data import generate_catalog
from {{ cookiecutter.project_slug }}.shop.models import (
    Product,
    ProductImage,
)
from {{ cookiecutter.project_slug }}.shop.selectors import products_with_relations

from tests.support.caches import cache_pointed_at
from tests.support.loopback import silent_peer
from tests.support.queries import assert_queries_flat

LIST = "/api/v1/products"
STOCK = "/api/v1/products/stock"


def detail_url(pk: int) -> str:
    return f"/api/v1/products/{pk}"


def list_of(size: int) -> None:
    generate_catalog(products=size)


def product_with(size: int) -> int:
    """One product with `size` images and `size` categories: the detail's rows."""
    catalog = generate_catalog(products=1, images_per_product=size, categories_per_product=size)
    return catalog.product_ids[0]


def body(response: Any) -> Any:
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def uncached_get(client: Client, path: str) -> Any:
    PRODUCTS.invalidate()
    return client.get(path)


@pytest.mark.django_db
class TestQueryCountsAreFlat:
    def test_list_on_a_miss(self, client: Client) -> None:
        count = assert_queries_flat(populate=list_of, call=lambda _: uncached_get(client, LIST))
        assert count == 1

    def test_list_on_a_hit(self, client: Client) -> None:
        def warm(size: int) -> None:
            list_of(size)
            uncached_get(client, LIST)

        assert assert_queries_flat(populate=warm, call=lambda _: client.get(LIST)) == 0

    def test_list_on_a_later_page(self, client: Client, settings: Settings) -> None:
        """The same query count on the first page and on any later one, whatever the table."""
        settings.API_PAGE_SIZE = 2

        def second_page(size: int) -> str:
            """The cursor of the second page of a table that grows with `size`."""
            list_of(size + 4)
            return str(body(uncached_get(client, LIST))["next"])

        count = assert_queries_flat(
            populate=second_page,
            call=lambda cursor: uncached_get(client, f"{LIST}?cursor={cursor}"),
        )
        assert count == 1

    def test_products_with_relations(self) -> None:
        def read(_: None) -> int:
            return sum(
                len(product.brand.name) + len(product.category_list) + len(product.image_list)
                for product in products_with_relations()
            )

        assert assert_queries_flat(populate=list_of, call=read) == 3

    def test_detail(self, client: Client) -> None:
        count = assert_queries_flat(
            populate=product_with, call=lambda pk: client.get(detail_url(pk))
        )
        assert count == 3

    def test_stock(self, client: Client) -> None:
        assert assert_queries_flat(populate=list_of, call=lambda _: client.get(STOCK)) == 1


def naive_list_body() -> list[dict[str, Any]]:
    """What the list looks like without the selector: one query per product and relation."""
    return [
        {
            "name": product.name,
            "brand": product.brand.name,
            "categories": [category.name for category in product.categories.all()],
            "images": [image.url for image in product.images.all()],
        }
        for product in Product.objects.all()
    ]


@pytest.mark.django_db
def test_the_helper_catches_a_naive_list() -> None:
    with zeal_ignore(), pytest.raises(AssertionError, match="grows with the data"):
        assert_queries_flat(populate=list_of, call=lambda _: naive_list_body())


@pytest.mark.django_db
def test_zeal_catches_a_naive_list() -> None:
    list_of(3)
    with pytest.raises(NPlusOneError):
        naive_list_body()


@pytest.mark.django_db
def test_an_only_without_the_join_key_is_caught() -> None:
    """The only() trap: deferring product_id makes Django fetch it image by image."""

    def read(_: None) -> None:
        trap = Product.objects.prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.only("url"), to_attr="image_list")
        )
        [image.url for product in trap for image in product.image_list]

    with zeal_ignore(), pytest.raises(AssertionError, match="grows with the data"):
        assert_queries_flat(populate=list_of, call=read)


@pytest.mark.django_db
class TestPerformanceRecords:
    """SQL and cache operations of the critical operations, compared with *.perf.yml."""

    def test_list(self, client: Client) -> None:
        list_of(3)
        with record():
            client.get(LIST)  # miss: computes and stores
            client.get(LIST)  # hit: no SQL

    def test_detail(self, client: Client) -> None:
        pk = product_with(3)
        with record():
            client.get(detail_url(pk))

    def test_stock(self, client: Client) -> None:
        list_of(3)
        with record():
            client.get(STOCK)


@pytest.mark.django_db
def test_list_shows_what_the_page_needs(client: Client) -> None:
    catalog = generate_catalog(products=2, images_per_product=2, categories_per_product=2)
    page = body(client.get(LIST))
    assert page["next"] is None
    products = page["items"]
    assert [product["id"] for product in products] == catalog.product_ids
    first = products[0]
    assert set(first) == {"id", "name", "slug", "price", "brand", "categories", "images"}
    assert first["price"] == str(Product.objects.get(pk=first["id"]).price)
    assert len(first["categories"]) == 2
    assert len(first["images"]) == 2


@pytest.mark.django_db
def test_pages_walk_every_product_once(client: Client) -> None:
    catalog = generate_catalog(products=7)
    seen: list[int] = []
    path = f"{LIST}?limit=3"
    for _ in range(10):
        page = body(client.get(path))
        assert len(page["items"]) <= 3
        seen += [product["id"] for product in page["items"]]
        if page["next"] is None:
            break
        path = f"{LIST}?limit=3&cursor={page['next']}"
    assert seen == catalog.product_ids


@pytest.mark.django_db
def test_a_page_runs_no_offset_and_no_count(client: Client) -> None:
    generate_catalog(products=5)
    first = body(uncached_get(client, f"{LIST}?limit=2"))
    for path in (f"{LIST}?limit=2&cursor={first['next']}", f"{STOCK}?limit=2"):
        PRODUCTS.invalidate()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        sql = " ".join(query["sql"] for query in captured).upper()
        assert "OFFSET" not in sql
        assert "COUNT(" not in sql
        assert "LIMIT 3" in sql  # the page and one row to know whether there is more


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status"),
    [("limit=0", 422), ("limit=101", 422), ("limit=x", 422), ("cursor=bm9wZQ", 400)],
)
def test_bad_page_parameters_are_4xx_with_the_error_shape(
    client: Client, query: str, status: int
) -> None:
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == status
    assert set(response.json()) == {"error", "detail"}


@pytest.mark.django_db
def test_page_size_has_a_default_from_settings(client: Client, settings: Settings) -> None:
    generate_catalog(products=3)
    settings.API_PAGE_SIZE = 2
    assert len(body(client.get(STOCK))["items"]) == 2


@pytest.mark.django_db
def test_detail_shows_the_product(client: Client) -> None:
    pk = product_with(3)
    product = body(client.get(detail_url(pk)))
    assert product["id"] == pk
    assert len(product["images"]) == 3
    assert set(product["images"][0]) == {"url", "alt"}
    assert [category["name"] for category in product["categories"]] == sorted(
        category["name"] for category in product["categories"]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["999999", "0", "9223372036854775808"])
def test_unknown_or_impossible_product_is_a_json_4xx(client: Client, pk: str) -> None:
    response = client.get(f"/api/v1/products/{pk}")
    assert response.status_code in {404, 422}
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"error", "detail"}


@pytest.mark.django_db
def test_stock_lists_id_and_stock_only(client: Client) -> None:
    catalog = generate_catalog(products=3)
    rows = body(client.get(STOCK))["items"]
    assert [set(row) for row in rows] == [{"id", "stock"}] * 3
    assert [row["id"] for row in rows] == catalog.product_ids


@pytest.mark.django_db
def test_list_serves_the_cached_bytes(client: Client) -> None:
    generate_catalog(products=3)
    fresh = client.get(LIST).content
    # A write that skips the services is not seen: proof the second answer came from Redis.
    Product.objects.update(name="renamed")
    assert client.get(LIST).content == fresh
    PRODUCTS.invalidate()
    assert b"renamed" in client.get(LIST).content


def cached_pages(client: Client) -> dict[str, bytes]:
    """Every page of the list, walked by its cursors: path -> body (now in the cache)."""
    pages: dict[str, bytes] = {}
    path: str | None = LIST
    while path is not None and len(pages) < 10:
        content = client.get(path).content
        pages[path] = content
        cursor = json.loads(content)["next"]
        path = None if cursor is None else f"{LIST}?cursor={cursor}"
    return pages


@pytest.mark.django_db
def test_a_catalogue_change_drops_every_cached_page_not_only_the_first(
    client: Client,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.API_PAGE_SIZE = 1
    catalog = generate_catalog(products=3)
    pages = cached_pages(client)
    assert len(pages) == 3
    # A write that skips the signals: every page still comes from the cache.
    Product.objects.update(name="renamed")
    assert {path: client.get(path).content for path in pages} == pages
    # A save, as the admin makes one, of the product on the last page.
    last = Product.objects.get(pk=catalog.product_ids[-1])
    with django_capture_on_commit_callbacks(execute=True):
        last.save()
    stale = [path for path in pages if b"renamed" not in client.get(path).content]
    assert stale == [], "pages still served from before the change"


@pytest.mark.django_db
def test_a_hung_redis_costs_the_list_one_timeout_not_one_per_request(
    client: Client, settings: Settings
) -> None:
    """A Redis that accepts connections and never answers: the first request pays one
    socket timeout and opens the cache's circuit breaker; the next ones never touch it."""
    catalog = generate_catalog(products=3)
    with silent_peer() as peer:
        cache_pointed_at(settings, peer.port)  # the shipped 0.5 s socket timeouts
        started = time.monotonic()
        first = client.get(LIST)
        first_seconds = time.monotonic() - started
        seen = peer.seen()
        answers, seconds = [], []
        for _ in range(5):
            started = time.monotonic()
            answers.append(client.get(LIST))
            seconds.append(time.monotonic() - started)
        time.sleep(0.05)  # anything sent would have arrived by now
        assert peer.seen() == seen, "a request reached the silent Redis"
    for response in (first, *answers):
        assert [product["id"] for product in body(response)["items"]] == catalog.product_ids
    assert first_seconds < 1.5, f"{first_seconds:.1f} s: more than one socket timeout"
    assert max(seconds) < 0.5, f"{max(seconds):.1f} s: a request waited on Redis's timeout"


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_refused")
def test_list_answers_with_redis_down(client: Client) -> None:
    catalog = generate_catalog(products=3)
    started = time.monotonic()
    response = client.get(LIST)
    elapsed = time.monotonic() - started
    assert [product["id"] for product in body(response)["items"]] == catalog.product_ids
    # Bounded by the 0.5 s socket timeouts (refused connections fail at once).
    assert elapsed < 2.0
