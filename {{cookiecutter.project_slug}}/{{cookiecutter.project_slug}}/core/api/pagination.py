"""Keyset pages: a bounded page size, a stable order, an opaque cursor, no OFFSET, no COUNT.

Why keyset: ``OFFSET n`` makes PostgreSQL read and discard n rows, so the
hundredth page costs a hundred pages, and ``COUNT(*)`` scans the table on every
request; both grow with the table. Here a page is ``WHERE id > <cursor> ORDER
BY id LIMIT size + 1``: one index range scan whatever the page, the extra row
telling whether there is a next page. The cursor is opaque to clients (they
pass back what they got), so the key can change without breaking them.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from ninja import Field, Schema

from {{ cookiecutter.project_slug }}.core.api.errors import ApiError

Row = TypeVar("Row")
CURSOR_VERSION = "v1"
# A primary key fits PostgreSQL's bigint; anything above would fail in the database.
MAX_KEY = 2**63 - 1


class PageQuery(Schema):
    """The query parameters of every list."""

    limit: int | None = Field(
        None,
        ge=1,
        le=settings.API_PAGE_SIZE_MAX,
        description=f"Items per page, at most {settings.API_PAGE_SIZE_MAX}; "
        "API_PAGE_SIZE when left out.",
    )
    cursor: str | None = Field(
        None,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The `next` of the previous page; leave out for the first page.",
    )

    @property
    def size(self) -> int:
        """The page size asked for, or the configured default (read per request)."""
        return self.limit or settings.API_PAGE_SIZE


def cursor_encode(key: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_VERSION}:{key}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str | None) -> int:
    """The key a cursor stands for (0 before the first page), or a 400 naming the parameter."""
    if cursor is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, _, key = raw.partition(":")
        value = int(key)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        value = -1
    else:
        if version != CURSOR_VERSION:
            value = -1
    if not 0 <= value <= MAX_KEY:
        raise ApiError(400, "bad_cursor", "cursor is not a cursor this API gave out.")
    return value


def keyset_page(
    queryset: QuerySet[Any, Row], *, after: int, limit: int, key: Callable[[Row], int]
) -> tuple[Sequence[Row], str | None]:
    """The ``limit`` rows after key ``after`` (ordered by ``id``) and the next page's cursor.

    ``after`` comes from ``cursor_decode``; ``key`` reads a row's id (``row["id"]``
    for values() rows). One query: the row past the page says whether there is more.
    """
    rows = list(queryset.filter(id__gt=after).order_by("id")[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], cursor_encode(key(rows[limit - 1]))
