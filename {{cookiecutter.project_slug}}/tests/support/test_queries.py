"""assert_queries_flat passes a flat query count and fails an N+1, showing the SQL."""

import pytest
from django.contrib.auth.models import Group, Permission
from zeal import zeal_ignore

from tests.support.queries import assert_queries_flat

pytestmark = pytest.mark.django_db


def groups_with_permissions(size: int) -> None:
    permissions = list(Permission.objects.order_by("id")[:3])
    groups = Group.objects.bulk_create(Group(name=f"group-{index}") for index in range(size))
    Group.permissions.through.objects.bulk_create(
        Group.permissions.through(group=group, permission=permission)
        for group in groups
        for permission in permissions
    )


def test_a_prefetching_read_is_flat() -> None:
    def read(_: None) -> None:
        for group in Group.objects.prefetch_related("permissions"):
            list(group.permissions.all())

    assert assert_queries_flat(populate=groups_with_permissions, call=read) == 2


def test_an_n_plus_one_fails_with_both_listings() -> None:
    def naive(_: None) -> None:
        for group in Group.objects.all():
            list(group.permissions.all())

    # zeal would raise first; here the helper itself must catch the N+1.
    with zeal_ignore(), pytest.raises(AssertionError) as caught:
        assert_queries_flat(populate=groups_with_permissions, call=naive)
    message = str(caught.value)
    assert "2 queries at size 1, 11 at size 10" in message
    assert "--- 2 queries at size 1:" in message
    assert "--- 11 queries at size 10:" in message
    assert message.count('FROM "auth_permission"') == 1 + 10


def test_sizes_start_from_the_same_data() -> None:
    seen: list[int] = []
    assert_queries_flat(
        populate=groups_with_permissions, call=lambda _: seen.append(Group.objects.count())
    )
    assert seen == [1, 10, 50]
    assert Group.objects.count() == 0


def test_one_size_is_refused() -> None:
    with pytest.raises(ValueError, match="at least two sizes"):
        assert_queries_flat(populate=groups_with_permissions, call=print, sizes=(10,))
