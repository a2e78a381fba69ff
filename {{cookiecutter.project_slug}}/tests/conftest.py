"""Fixtures shared by the whole suite. Tests use the real PostgreSQL, Redis and broker."""

from collections.abc import Iterator

import pytest

from tests.broker import queue_declare, queue_delete, queue_take_all
{%- if cookiecutter.database_pooling == 'pgbouncer' %}

pytest_plugins = ["tests.pgbouncer"]
{%- endif %}


@pytest.fixture(scope="session", autouse=True)
def task_queue_cleanup() -> Iterator[None]:
    """Delete this run's task queue on the shared broker when the session ends."""
    yield
    queue_delete()


@pytest.fixture
def task_queue() -> Iterator[None]:
    """This run's task queue on the real broker, empty before and after the test."""
    queue_declare()
    queue_take_all()
    yield
    queue_take_all()
