"""Fixtures of the settings tests."""

from collections.abc import Iterator

import pytest
from django.db import connection
from pytest_django import DjangoDbBlocker


@pytest.fixture
def live_connection(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """The test database in autocommit, as a request sees it; for tests that write nothing.

    Requests ``django_db_setup`` so that, run alone, the test still uses the test
    database and never the configured one.
    """
    with django_db_blocker.unblock():
        try:
            yield
        finally:
            connection.close()
