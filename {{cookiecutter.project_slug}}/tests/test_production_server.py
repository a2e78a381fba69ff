"""The production server as a load balancer and a client see it (gunicorn, WSGI and ASGI).

Booted with the shipped configuration and production settings on 127.0.0.1
(tests/support/production.py); Redis and PostgreSQL are reached through
proxies that a test takes down and brings back. Marked ``server``.
"""

import contextlib
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.production import HEALTH_TOKEN, Backends
from tests.support.servers import Answer, Server, fetch, production_server, scrape_metrics

# The servers run on the test database, so it must be set up; what a test writes for
# them (an API key) is committed (transaction=True), and only the tables of the apps
# involved are emptied after it.
pytestmark = [
    pytest.mark.processes,
    pytest.mark.django_db(
        transaction=True,
        available_apps=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "{{ cookiecutter.project_slug }}.users",
        ],
    ),
    pytest.mark.usefixtures("backends_up"),
]

TOKEN = {"X-Health-Token": HEALTH_TOKEN}


def health(server: Server, path: str) -> tuple[Answer, float]:
    started = time.monotonic()
    answer = fetch(server, path, headers=TOKEN)
    return answer, time.monotonic() - started


@pytest.fixture
def short_lived_server(
    server_environment: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Server]:
    with production_server(
        server_environment, log=tmp_path / "server.log", asgi=request.param == "asgi"
    ) as server:
        yield server


# A server of its own: after the outages below its pool or connections take a few
# seconds to come back, which the shared servers' later tests must not inherit.
@pytest.mark.parametrize("short_lived_server", ["wsgi", "asgi"], indirect=True)
def test_probes_answer_the_orchestrator(short_lived_server: Server, backends_up: Backends) -> None:
    server = short_lived_server
    # The orchestrator probes the process's own address over plain HTTP.
    raw = {"Host": "10.0.3.7:8000", "X-Forwarded-Proto": "http"}
    assert fetch(server, "/health/live", headers=raw).status == 200
    ready = fetch(server, "/health/ready", headers=raw)
    assert (ready.status, json.loads(ready.body)) == (200, {"status": "ok"}), ready.body

    backends_up.redis.set("down")
    ready, _ = health(server, "/health/ready")
    assert ready.status == 200, "the cache absorbs a Redis outage: stay in rotation"
    everything, seconds = health(server, "/health/")
    assert everything.status == 503
    assert json.loads(everything.body)["failing"] == ["cache"]
    assert seconds < 2, f"/health/ took {seconds:.1f} s with Redis down"

    backends_up.redis.set("up")
    backends_up.database.set("down")
    ready, seconds = health(server, "/health/ready")
    assert ready.status == 503, ready.body
    assert json.loads(ready.body)["failing"] == ["database"]
    assert seconds < 7, f"/health/ready took {seconds:.1f} s with PostgreSQL down"
    assert fetch(server, "/health/live").status == 200, "liveness checks only the process"
    # A request that needs the database: 503 with Retry-After, which a client retries.
    well_formed = "Bearer 0123abcd." + "s" * 43  # looked up in the database
    api = fetch(server, "/api/v1/me", headers={"Authorization": well_formed})
    assert (api.status, json.loads(api.body)["error"]) == (503, "unavailable"), api.body
    assert api.headers["Retry-After"] == "2"

    backends_up.database.set("up")
    assert ready_within(server, seconds=15), "back in rotation once PostgreSQL answers again"


def ready_within(server: Server, *, seconds: float) -> bool:
    """Whether /health/ready turns 200 within ``seconds`` (polled, as an orchestrator does)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if fetch(server, "/health/ready").status == 200:
            return True
        time.sleep(0.2)
    return False


def test_static_files_are_served_with_far_future_caching(wsgi_server: Server) -> None:
    login = fetch(wsgi_server, "/admin/login/")
    assert login.status == 200
    stylesheet = re.search(rb'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login.body)
    assert stylesheet is not None, "hashed names from the manifest"
    css = fetch(wsgi_server, stylesheet.group(1).decode(), headers={"Accept-Encoding": "gzip"})
    assert css.status == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert css.headers.get("Content-Encoding") == "gzip"
    assert "max-age=315360000" in css.headers["Cache-Control"]
    assert "immutable" in css.headers["Cache-Control"]


def test_security_headers_and_secure_cookies(wsgi_server: Server) -> None:
    login = fetch(wsgi_server, "/admin/login/")
    assert login.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert login.headers["X-Content-Type-Options"] == "nosniff"
    assert login.headers["Referrer-Policy"] == "same-origin"
    assert login.headers["X-Frame-Options"] == "DENY"
    cookie = login.headers["Set-Cookie"]
    assert cookie.startswith("csrftoken=")
    assert "Secure" in cookie
    assert "Server-Timing" not in login.headers, "no internals for anonymous callers"


def test_plain_http_is_redirected_to_https(wsgi_server: Server) -> None:
    answer = fetch(wsgi_server, "/admin/login/", headers={"X-Forwarded-Proto": "http"})
    assert answer.status == 301
    assert answer.headers["Location"] == "https://127.0.0.1/admin/login/"


def test_an_unknown_host_is_refused(wsgi_server: Server) -> None:
    assert fetch(wsgi_server, "/admin/login/", headers={"Host": "evil.example.com"}).status == 400
    api = fetch(wsgi_server, "/api/v1/me", headers={"Host": "evil.example.com"})
    assert api.status == 400
    assert json.loads(api.body)["error"] == "bad_request"


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_an_api_client_with_a_key_is_served(
    kind: str, request: pytest.FixtureRequest, server_api_key: str
) -> None:
    server: Server = request.getfixturevalue(f"{kind}_server")
    me = fetch(server, "/api/v1/me", headers={"Authorization": f"Bearer {server_api_key}"})
    assert me.status == 200, f"{me.body!r}\n{server.tail()}"
    assert json.loads(me.body)["key"] == server_api_key.split(".", 1)[0]
    refused = fetch(server, "/api/v1/me")
    assert (refused.status, json.loads(refused.body)["error"]) == (401, "unauthorized")


@pytest.mark.parametrize("asgi", [False, True], ids=["wsgi", "asgi"])
def test_sigterm_lets_an_in_flight_request_finish(
    server_environment: dict[str, str], backends_up: Backends, tmp_path: Path, asgi: bool
) -> None:
    """The worker answers, then exits on its own, before the graceful timeout would kill it
    (a long one here: a loaded machine's seconds must not look like a hang)."""
    environment = {**server_environment, "WEB_GRACEFUL_TIMEOUT": "20"}
    with production_server(environment, log=tmp_path / "server.log", asgi=asgi) as server:
        backends_up.redis.set("silent")  # /health/ now waits on Redis's socket timeouts
        answers: list[Answer] = []
        request = threading.Thread(
            target=lambda: answers.append(fetch(server, "/health/", headers=TOKEN, timeout=30))
        )
        request.start()
        time.sleep(0.2)  # the request is in the server, waiting on Redis
        stopped_at = time.monotonic()
        status = server.stop()
        stopped_after = time.monotonic() - stopped_at
        request.join(timeout=30)
    assert answers, f"the in-flight request was cut off\n{server.tail()}"
    assert answers[0].status == 503, "answered in full: Redis is reported silent"
    assert status == 0, server.tail()
    assert stopped_after < server.graceful_seconds, "exited on its own, not at the timeout"


def test_sigterm_cuts_off_a_request_that_outlasts_the_graceful_timeout(
    server_environment: dict[str, str], backends_up: Backends, tmp_path: Path
) -> None:
    """WEB_GRACEFUL_TIMEOUT is what gunicorn waits for: 1 s here, not its own default of 30 s.

    The request waits on a silent PostgreSQL for its connect timeout (5 s): the
    server stops after the graceful second instead, without answering it.
    """
    environment = {**server_environment, "WEB_GRACEFUL_TIMEOUT": "1", "DATABASE_POOL_TIMEOUT": "10"}
    answers: list[Answer] = []
    with production_server(environment, log=tmp_path / "server.log") as server:
        backends_up.database.set("silent")

        def ask() -> None:
            with contextlib.suppress(OSError):  # cut off: the connection closes unanswered
                answers.append(fetch(server, "/health/ready", headers=TOKEN, timeout=15))

        request = threading.Thread(target=ask)
        request.start()
        time.sleep(0.3)  # the request is in the server, waiting on PostgreSQL
        stopped_at = time.monotonic()
        server.stop()
        stopped_after = time.monotonic() - stopped_at
        request.join(timeout=15)
    assert answers == [], f"answered after the graceful timeout\n{server.tail()}"
    assert 0.9 < stopped_after < 3.5, f"stopped after {stopped_after:.1f} s\n{server.tail()}"


def requests_until(server: Server, line: str, *, limit: int) -> int:
    """Requests sent, one at a time, until the server's log holds one more ``line``."""
    before = server.log.read_text(errors="replace").count(line)
    for sent in range(1, limit + 1):
        assert fetch(server, "/health/live").status == 200
        if server.log.read_text(errors="replace").count(line) > before:
            return sent
    pytest.fail(f"no {line!r} after {limit} requests\n{server.tail()}")


def wait_for_log(server: Server, line: str, count: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while server.log.read_text(errors="replace").count(line) < count:
        if time.monotonic() > deadline:
            pytest.fail(f"fewer than {count} {line!r} after {seconds} s\n{server.tail()}")
        time.sleep(0.05)


def test_a_worker_is_replaced_after_its_requests_and_a_jitter(
    server_environment: dict[str, str], tmp_path: Path
) -> None:
    """WEB_MAX_REQUESTS=20: a worker serves 20 to 22 requests (a tenth more at most), then a new one.

    The first worker also served the start-up probes, so its successor is counted.
    """
    environment = {**server_environment, "WEB_MAX_REQUESTS": "20"}
    restart, boot = "Autorestarting worker", "Booting worker"
    with production_server(environment, log=tmp_path / "server.log") as server:
        requests_until(server, restart, limit=40)
        wait_for_log(server, boot, count=2)
        served = requests_until(server, restart, limit=40)
    assert 20 <= served <= 22, server.tail()


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_https_is_known_from_the_load_balancers_header(
    kind: str, request: pytest.FixtureRequest
) -> None:
    """TLS ends at the load balancer, which says so in X-Forwarded-Proto; gunicorn here trusts
    none of the client's forwarded headers (tests/support/production.py), Django's setting does."""
    server: Server = request.getfixturevalue(f"{kind}_server")
    secure = fetch(server, "/admin/login/")  # X-Forwarded-Proto: https
    assert secure.status == 200, "no redirect: the request is known to be HTTPS"
    assert "Secure" in secure.headers["Set-Cookie"]
    plain = fetch(server, "/admin/login/", headers={"X-Forwarded-Proto": "http"})
    assert (plain.status, plain.headers["Location"]) == (301, "https://127.0.0.1/admin/login/")


@pytest.fixture
def two_worker_server(server_environment: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    with production_server(server_environment, log=tmp_path / "server.log", workers=2) as server:
        yield server


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of a Prometheus text page, 0 when absent."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return float(found.value)
    return 0.0


def test_metrics_add_up_every_worker_on_their_own_port(two_worker_server: Server) -> None:
    requests = 20
    for _ in range(requests):
        assert fetch(two_worker_server, "/api/v1/me").status == 401
    text = scrape_metrics(two_worker_server)
    # Served by either worker, counted once, by route pattern: the master's page holds all.
    labels = {"route": "api/v1/me", "method": "GET", "status": "401"}
    assert sample(text, "http_requests_total", **labels) == requests, two_worker_server.tail()
    assert sample(text, "http_request_duration_seconds_count", route="api/v1/me") == requests
    assert fetch(two_worker_server, "/metrics").status == 404, "never on the public port"


def test_a_setting_that_fails_a_check_stops_the_server(
    server_environment: dict[str, str], tmp_path: Path
) -> None:
    unsafe = {**server_environment, "DJANGO_SETTINGS_MODULE": "tests.support.unsafe_settings"}
    with (
        pytest.raises(RuntimeError, match=r"core\.E001"),
        production_server(unsafe, log=tmp_path / "server.log", startup_seconds=20),
    ):
        pass
