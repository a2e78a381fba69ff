"""Keyset pages: opaque cursors that round-trip, refuse what the API never gave out, one query a page."""

import base64

import pytest
from django.contrib.auth.models import Group
from pytest_django import DjangoAssertNumQueries

from {{ cookiecutter.project_slug }}.core.api.errors import ApiError
from {{ cookiecutter.project_slug }}.core.api.pagination import (
    MAX_KEY,
    cursor_decode,
    cursor_encode,
    keyset_page,
)


@pytest.mark.parametrize("key", [0, 1, 12345, MAX_KEY])
def test_a_cursor_round_trips(key: int) -> None:
    cursor = cursor_encode(key)
    assert str(key) not in cursor, "opaque to clients"
    assert cursor_decode(cursor) == key


def test_no_cursor_is_the_first_page() -> None:
    assert cursor_decode(None) == 0


def raw_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "%%%",
        raw_cursor("nope"),
        raw_cursor("v0:1"),
        raw_cursor("v1:-1"),
        raw_cursor(f"v1:{MAX_KEY + 1}"),
        raw_cursor("v1:1e3"),
    ],
)
def test_a_cursor_the_api_never_gave_out_is_refused(cursor: str) -> None:
    with pytest.raises(ApiError) as refused:
        cursor_decode(cursor)
    assert refused.value.status_code == 400
    assert refused.value.code == "bad_cursor"


@pytest.mark.django_db
def test_pages_cover_every_row_once_one_query_each(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    Group.objects.bulk_create(Group(name=f"g{index}") for index in range(5))
    seen: list[int] = []
    after, pages = 0, 0
    while True:
        with django_assert_num_queries(1):
            rows, next_cursor = keyset_page(
                Group.objects.values("id"), after=after, limit=2, key=lambda row: row["id"]
            )
        seen += [row["id"] for row in rows]
        pages += 1
        if next_cursor is None:
            break
        after = cursor_decode(next_cursor)
    assert seen == sorted(Group.objects.values_list("id", flat=True))
    assert pages == 3
