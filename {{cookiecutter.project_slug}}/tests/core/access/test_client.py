"""core/access/client.py: the client's address as the proxies gunicorn trusts tell it, and no one else."""

import pytest
from django.test import RequestFactory
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.access.client import client_address


def address(peer: str, forwarded: str | None = None) -> str | None:
    headers = {} if forwarded is None else {"X-Forwarded-For": forwarded}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=peer, headers=headers))


@pytest.fixture
def balancers(settings: Settings) -> None:
    settings.WEB_FORWARDED_ALLOW_IPS = "10.0.0.0/8,192.0.2.1"


@pytest.mark.usefixtures("balancers")
def test_a_trusted_proxy_names_the_client_it_saw() -> None:
    assert address("10.1.2.3", "198.51.100.7") == "198.51.100.7"
    # The client wrote the first entry itself; the proxies appended the rest.
    assert address("10.1.2.3", "203.0.113.9, 198.51.100.7, 10.9.9.9") == "198.51.100.7"
    assert address("192.0.2.1", "[2001:db8::7]:443") == "2001:db8::7"
    assert address("192.0.2.1", "198.51.100.7:55123") == "198.51.100.7"


@pytest.mark.usefixtures("balancers")
def test_anyone_else_is_counted_under_its_own_address_whatever_it_sends() -> None:
    assert address("198.51.100.7", "203.0.113.9") == "198.51.100.7"
    assert address("10.1.2.3") == "10.1.2.3", "no header: the proxy itself"
    assert address("10.1.2.3", "not-an-address") == "10.1.2.3"


def test_every_proxy_trusted_takes_the_address_the_last_one_added(settings: Settings) -> None:
    settings.WEB_FORWARDED_ALLOW_IPS = "*"
    assert address("10.1.2.3", "203.0.113.9, 198.51.100.7") == "198.51.100.7"
