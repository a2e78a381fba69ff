"""The catalog served from the edge: public, revalidated by a 304 that costs no query.

The list and the detail carry the headers of core/api/caching.py; a client (or
a CDN) holding the current copy is answered 304 with no database query and,
for the list, without reading the cached page: the catalog's version alone.
A price change gives a new ETag at once in the process that made it, and
within the catalog namespace's version_seconds in the others.
"""

import json
import time
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.test import Client
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from {{ cookiecutter.project_slug }}.core.cache import namespaces
from {{ cookiecutter.project_slug }}.core.cache.local import local_copies_forget
from {{ cookiecutter.project_slug }}.shop.cache_keys import PRODUCTS
from {{ cookiecutter.project_slug }}.shop.demo_data import generate_catalog
from {{ cookiecutter.project_slug }}.shop.models import Product

LIST = "/api/v1/products"


def detail_url(pk: int) -> str:
    return f"/api/v1/products/{pk}"


@pytest.fixture
def product() -> int:
    return generate_catalog(products=3).product_ids[0]


@pytest.fixture
def cache_keys_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys this thread reads from Redis meanwhile (get and get_many)."""
    backend: Any = caches["default"]  # the object behind `cache` in this thread
    read: list[str] = []
    get, get_many = backend.get, backend.get_many

    def spy_get(key: str, *args: Any, **kwargs: Any) -> Any:
        read.append(key)
        return get(key, *args, **kwargs)

    def spy_get_many(keys: Any, *args: Any, **kwargs: Any) -> Any:
        read.extend(keys)
        return get_many(keys, *args, **kwargs)

    monkeypatch.setattr(backend, "get", spy_get)
    monkeypatch.setattr(backend, "get_many", spy_get_many)
    return read


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["list", "detail"])
def test_the_catalog_is_public_with_a_strong_etag(client: Client, product: int, which: str) -> None:
    response = client.get(LIST if which == "list" else detail_url(product))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public, max-age=")
    assert "stale-while-revalidate=" in response["Cache-Control"]
    assert response["ETag"].startswith('"')
    assert "Accept-Encoding" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["list", "detail"])
def test_a_current_copy_costs_no_query_and_no_read_of_the_cached_page(
    client: Client,
    product: int,
    which: str,
    django_assert_num_queries: DjangoAssertNumQueries,
    cache_keys_read: list[str],
) -> None:
    url = LIST if which == "list" else detail_url(product)
    etag = client.get(url)["ETag"]  # computed, and the list's page stored
    local_copies_forget()  # as in another process: the version must come from Redis
    cache_keys_read.clear()
    with django_assert_num_queries(0):
        response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"].startswith("public, max-age=")
    assert cache_keys_read == [PRODUCTS.counter_key], "the 304 read more than the version"


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["list", "detail"])
def test_after_a_deploy_an_etag_of_the_previous_release_gets_the_new_answer(
    client: Client, product: int, which: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next release may answer in another shape: no 304 to the old ETag, no old page."""
    url = LIST if which == "list" else detail_url(product)
    etag = client.get(url)["ETag"]  # the list's page stored by this release
    # What the next release answers differently (here: rows changed without a signal).
    Product.objects.filter(pk=product).update(name="Renamed in the next release")
    local_copies_forget()  # the next release runs in new processes
    monkeypatch.setattr(namespaces, "code_version", lambda: "the-next-release")
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "Renamed in the next release" in response.content.decode()


@pytest.mark.django_db
def test_a_price_change_gives_a_new_etag_at_once_in_the_process_that_made_it(
    client: Client,
    product: int,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    etags = {url: client.get(url)["ETag"] for url in (LIST, detail_url(product))}
    changed = Product.objects.get(pk=product)
    changed.price += 1
    with django_capture_on_commit_callbacks(execute=True):
        changed.save()  # as the admin saves it: the signal invalidates the catalog
    for url, etag in etags.items():
        response = client.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 200, url
        assert response["ETag"] != etag
        assert str(changed.price) in response.content.decode()


@pytest.mark.django_db
def test_another_process_change_reaches_the_etag_within_the_catalog_bound(
    client: Client, product: int
) -> None:
    etag = client.get(LIST)["ETag"]
    # Another process invalidates: the shared counter moves, this process's
    # trusted copy of the version does not hear of it.
    cache.incr(PRODUCTS.counter_key)
    started = time.monotonic()
    assert client.get(LIST, headers={"If-None-Match": etag}).status_code == 304
    deadline = started + PRODUCTS.version_seconds + 1.0
    while (response := client.get(LIST, headers={"If-None-Match": etag})).status_code == 304:
        assert time.monotonic() < deadline, "the change never reached this process"
        time.sleep(0.05)
    waited = time.monotonic() - started
    assert response["ETag"] != etag
    assert json.loads(response.content)["items"]
    assert waited <= PRODUCTS.version_seconds + 0.3, f"seen after {waited:.2f} s"
