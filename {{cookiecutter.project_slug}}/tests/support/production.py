"""Fixtures that run the production server against this test run's services (a pytest plugin).

The servers run the production settings and the shipped gunicorn configuration,
pointed at the test database, this run's Redis namespace and task queue, with
Redis and PostgreSQL reached through proxies a test can take down
(tests/support/proxies.py). Each server starts once per test process, when a
test first asks for it, and stops when the process ends. Static files are
collected once too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from {{ cookiecutter.project_slug }}.users.keys import api_key_issue
from {{ cookiecutter.project_slug }}.users.models import User

from tests.support.environments import production_environment
from tests.support.loopback import closed_port
from tests.support.processes import database_url_for_child, python_child
from tests.support.proxies import Proxy, tcp_proxy
from tests.support.servers import Server, production_server

HEALTH_TOKEN = "a-health-token-for-the-production-server-tests"
# Writes one user may make per minute on the servers (each test has a user of its own).
SERVER_WRITE_RATE = 4


@dataclass
class Backends:
    """The proxies in front of the services the servers use."""

    database: Proxy
    redis: Proxy


def through(url: str, proxy: Proxy) -> str:
    """``url`` with its port replaced by the proxy's."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
    return urlunsplit(parts._replace(netloc=f"{netloc}:{proxy.port}"))


@pytest.fixture(scope="session")
def backends(django_db_setup: None) -> Iterator[Backends]:
    redis_port = urlsplit(str(settings.CACHES["default"]["LOCATION"])).port or 6379
    with (
        tcp_proxy(int(connection.settings_dict["PORT"])) as database,
        tcp_proxy(redis_port) as redis,
    ):
        yield Backends(database=database, redis=redis)


@pytest.fixture(scope="session")
def server_environment(
    backends: Backends, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """Production settings on this run's services, the static files collected."""
    static_root = tmp_path_factory.mktemp("static")
    environment = {
        "PATH": os.environ["PATH"],
        **production_environment(
            DATABASE_URL=through(database_url_for_child(), backends.database),
            REDIS_URL=through(str(settings.CACHES["default"]["LOCATION"]), backends.redis),
            CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
            CELERY_TASK_DEFAULT_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
            CACHE_KEY_PREFIX=str(settings.CACHES["default"]["KEY_PREFIX"]),
            DJANGO_STATIC_ROOT=str(static_root),
            DJANGO_HEALTH_TOKEN=HEALTH_TOKEN,
            DJANGO_LOG_LEVEL="WARNING",
            # Few writes per user, so a test can reach the limit across the two servers.
            API_WRITE_RATE=f"{SERVER_WRITE_RATE}/m",
            # A dead database fails a probe in seconds (django_pool mode waits this long).
            DATABASE_POOL_TIMEOUT="2",
            # The load balancer is not at the tests' address (127.0.0.1): gunicorn trusts none of
            # their X-Forwarded-* headers, so HTTPS is known from Django's SECURE_PROXY_SSL_HEADER
            # alone, as behind a balancer whose address WEB_FORWARDED_ALLOW_IPS does not list.
            WEB_FORWARDED_ALLOW_IPS="127.0.0.2",
            # External APIs (the example's shipping rates) on loopback, refused: never the network.
            SHIPPING_API_URL=f"http://127.0.0.1:{closed_port()}/v1/",
        ),
    }
    collected = python_child(
        "from django.core.management import call_command\n"
        "call_command('collectstatic', interactive=False, verbosity=0)\n",
        env=environment,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    return environment


@pytest.fixture
def server_api_key(transactional_db: None) -> str:
    """An API key the servers can see: committed (the test's tables are emptied after it)."""
    user = User.objects.create_user("server-client")
    return api_key_issue(user=user, name="production server tests").key


@pytest.fixture(scope="session")
def wsgi_server(
    server_environment: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("wsgi") / "gunicorn.log"
    with production_server(server_environment, log=log) as server:
        yield server


@pytest.fixture(scope="session")
def asgi_server(
    server_environment: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("asgi") / "gunicorn.log"
    with production_server(server_environment, log=log, asgi=True) as server:
        yield server


@pytest.fixture
def backends_up(backends: Backends) -> Iterator[Backends]:
    """The proxies up before and after the test, whatever it did to them."""
    backends.database.set("up")
    backends.redis.set("up")
    yield backends
    backends.database.set("up")
    backends.redis.set("up")
