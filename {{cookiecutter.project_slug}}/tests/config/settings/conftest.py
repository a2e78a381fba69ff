"""Fixtures of the settings tests."""

from collections.abc import Iterator

import pytest
from django.db import connection


@pytest.fixture
def live_connection(transactional_db: None) -> Iterator[None]:
    """The test database in autocommit, as a request sees it; for tests that write nothing.

    Through ``transactional_db``: the test database is set up even when such a
    test runs alone (never the configured database), and no wrapping
    transaction hides what a request would see. Tests that use it carry
    tests.support.database.LIVE_DATABASE, so that the flush after them is cheap.
    """
    assert str(connection.settings_dict["NAME"]).startswith("test_"), "the test database only"
    try:
        yield
    finally:
        connection.close()
