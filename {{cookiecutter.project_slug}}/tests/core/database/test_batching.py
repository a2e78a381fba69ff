"""pk_chunks: every primary key once, in order, one bounded query per chunk."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from {{ cookiecutter.project_slug }}.core.database.batching import pk_chunks

pytestmark = pytest.mark.django_db


def test_walks_every_row_once_in_pk_order() -> None:
    Group.objects.bulk_create(Group(name=f"g{index}") for index in range(25))
    with CaptureQueriesContext(connection) as queries:
        chunks = list(pk_chunks(Group.objects.all(), size=10))
    assert [len(chunk) for chunk in chunks] == [10, 10, 5]
    pks = [pk for chunk in chunks for pk in chunk]
    assert pks == sorted(Group.objects.values_list("pk", flat=True))
    assert len(queries) == 3
    assert all("LIMIT 10" in query["sql"] for query in queries.captured_queries)


def test_exact_multiple_ends_with_an_empty_query() -> None:
    Group.objects.bulk_create(Group(name=f"g{index}") for index in range(20))
    assert [len(chunk) for chunk in pk_chunks(Group.objects.all(), size=10)] == [10, 10]


def test_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="size must be at least 1"):
        next(pk_chunks(Group.objects.all(), size=0))
