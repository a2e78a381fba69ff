"""The admin's door on the booted production server: lockouts, the log line, the second factor.

gunicorn with the production settings (tests/support/production.py), a lockout
shortened to 3 failures and 5 seconds, the admin moved to ``staff-7f3a/``, and
the tests' own address (127.0.0.1) as the trusted load balancer: a test says
which client it forwards for in X-Forwarded-For. A connection from 127.0.0.2
is a client the server does not trust to forward anything. Redis is reached through
a proxy a test can take down (tests/support/production.py).
"""

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db.models import F
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from {{ cookiecutter.project_slug }}.users.models import User

from tests.support.logins import PASSWORD, PASSWORD_FOR_SERVERS, Visitor, totp_now
from tests.support.production import Backends
from tests.support.servers import Server, fetch, production_server, scrape_metrics
from tests.test_production_server import sample

pytestmark = [
    pytest.mark.processes,
    pytest.mark.django_db(
        transaction=True,
        available_apps=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
            "{{ cookiecutter.project_slug }}.users",
            "axes",
            "django_otp.plugins.otp_totp",
        ],
    ),
]

ADMIN = "/staff-7f3a/"
LOGIN = f"{ADMIN}login/"
# Counted from each failure, so a busy machine's attempts, seconds apart, stay within it;
# the test that waits a lockout out moves its failures back in time instead (aged_by).
LOCKOUT_SECONDS = 60


@pytest.fixture(scope="module")
def server(
    server_environment: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    environment = {
        **server_environment,
        "DJANGO_LOGIN_FAILURE_LIMIT": "3",
        "DJANGO_LOGIN_LOCKOUT_SECONDS": str(LOCKOUT_SECONDS),
        "DJANGO_ADMIN_URL": ADMIN.strip("/") + "/",
        "WEB_FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    log = tmp_path_factory.mktemp("login-server") / "gunicorn.log"
    with production_server(environment, log=log) as started:
        yield started


def superuser(username: str) -> User:
    return User.objects.create(
        username=username, password=PASSWORD_FOR_SERVERS, is_staff=True, is_superuser=True
    )


def staff_with_device(username: str) -> TOTPDevice:
    user = superuser(username)
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def guess(server: Server, username: str, forwarded_for: str) -> int:
    return Visitor(server, forwarded_for).login(LOGIN, username, "a-guess").status


def aged_by(username: str, seconds: float) -> None:
    """As if ``seconds`` had passed since each of the username's failures (axes reads their times)."""
    AccessAttempt.objects.filter(username=username).update(
        attempt_time=F("attempt_time") - timedelta(seconds=seconds)
    )


def test_past_the_limit_the_right_credentials_are_refused_for_the_lockout_then_let_in(
    server: Server,
) -> None:
    device = staff_with_device("alice")
    # From three addresses: the username is what is being guessed.
    assert [guess(server, "alice", f"198.51.100.{n}") for n in (1, 2, 3)] == [200, 200, 429]
    visitor = Visitor(server, "198.51.100.4")
    locked = visitor.login(LOGIN, "alice", PASSWORD, totp_now(device))
    assert locked.status == 429, server.tail()
    assert locked.headers["Retry-After"] == str(LOCKOUT_SECONDS)
    assert b"Too many failed logins" in locked.body
    aged_by("alice", LOCKOUT_SECONDS / 2)
    assert visitor.login(LOGIN, "alice", PASSWORD, totp_now(device)).status == 429, "not yet"
    aged_by("alice", LOCKOUT_SECONDS + 1)  # the refused attempts counted too
    assert visitor.login(LOGIN, "alice", PASSWORD, totp_now(device)).status == 302, server.tail()
    assert visitor.request("GET", ADMIN).status == 200, "logged in"


def test_other_usernames_from_one_address_count_toward_its_lockout(server: Server) -> None:
    device = staff_with_device("bob")
    assert [guess(server, f"nobody-{n}", "203.0.113.5") for n in (1, 2, 3)] == [200, 200, 429]
    assert (
        Visitor(server, "203.0.113.5").login(LOGIN, "bob", PASSWORD, totp_now(device)).status == 429
    )
    elsewhere = Visitor(server, "203.0.113.6").login(LOGIN, "bob", PASSWORD, totp_now(device))
    assert elsewhere.status == 302, "the address is locked out, not the user"


def test_a_client_the_server_does_not_trust_is_counted_under_its_own_address(
    server: Server,
) -> None:
    """Whatever X-Forwarded-For it sends: only the load balancer's is believed."""
    device = staff_with_device("carol")
    for n in (1, 2, 3):
        Visitor(server, f"192.0.2.{n}", source="127.0.0.2").login(LOGIN, f"nobody-{n}", "a-guess")
    refused = Visitor(server, "192.0.2.99", source="127.0.0.2")
    assert refused.login(LOGIN, "carol", PASSWORD, totp_now(device)).status == 429


def test_a_redis_outage_lifts_no_lockout(server: Server, backends_up: Backends) -> None:
    """Failures are counted in PostgreSQL: a cache answering every lookup with a miss forgets none."""
    device = staff_with_device("grace")
    backends_up.redis.set("down")
    assert [guess(server, "grace", f"198.51.100.{50 + n}") for n in (1, 2, 3)] == [200, 200, 429]
    refused = Visitor(server, "198.51.100.60").login(LOGIN, "grace", PASSWORD, totp_now(device))
    assert refused.status == 429, server.tail()


def test_the_unlock_command_lets_a_locked_out_user_in(server: Server) -> None:
    device = staff_with_device("dave")
    for n in (1, 2, 3):
        guess(server, "dave", f"198.51.100.{10 + n}")
    visitor = Visitor(server, "198.51.100.20")
    assert visitor.login(LOGIN, "dave", PASSWORD, totp_now(device)).status == 429
    call_command("axes_reset_username", "dave", verbosity=0)
    assert visitor.login(LOGIN, "dave", PASSWORD, totp_now(device)).status == 302


def login_lines(server: Server) -> list[dict[str, object]]:
    return [
        json.loads(line)
        for line in server.log.read_text(errors="replace").splitlines()
        if line.startswith("{") and '"login_failed"' in line
    ]


def test_a_failed_login_is_one_json_line_and_a_counted_failure(server: Server) -> None:
    labels = {"route": LOGIN.lstrip("/"), "outcome": "refused"}
    before = sample(scrape_metrics(server), "login_failures_total", **labels)
    visitor = Visitor(server, "198.51.100.30")
    visitor.request("GET", LOGIN)
    fields = "csrfmiddlewaretoken={}&username=erin&password=hunter2-not-logged".format(
        visitor.cookies["csrftoken"]
    )
    visitor.request(
        "POST",
        LOGIN,
        body=fields.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": "https://127.0.0.1",
            "X-Request-ID": "login-line-test-1",
        },
    )
    deadline = time.monotonic() + 5
    while not (found := [line for line in login_lines(server) if line["username"] == "erin"]):
        assert time.monotonic() < deadline, server.tail()
        time.sleep(0.05)
    (line,) = found
    assert {
        key: line[key] for key in ("level", "route", "address", "request_id", "locked_out")
    } == {
        "level": "WARNING",
        "route": LOGIN.lstrip("/"),
        "address": "198.51.100.30",
        "request_id": "login-line-test-1",
        "locked_out": False,
    }
    assert "hunter2" not in server.log.read_text(), "never the password"
    assert sample(scrape_metrics(server), "login_failures_total", **labels) == before + 1


def test_a_superuser_without_a_second_factor_cannot_reach_the_admin_index(
    server: Server, server_environment: dict[str, str]
) -> None:
    user = superuser("frank")
    visitor = Visitor(server, "198.51.100.40")
    refused = visitor.login(LOGIN, "frank", PASSWORD)
    assert refused.status == 200, "the form again, asking for a code"
    assert visitor.request("GET", ADMIN).status == 302
    # A session opened with the password alone, however it was had (signed with the
    # server's key, so the server reads it), is not enough either.
    user.refresh_from_db()  # the server re-hashed the password it accepted
    client = Client()
    with override_settings(SECRET_KEY=server_environment["DJANGO_SECRET_KEY"]):
        client.force_login(user)
    visitor.cookies["sessionid"] = client.cookies["sessionid"].value
    index = visitor.request("GET", ADMIN)
    assert (index.status, index.headers["Location"]) == (302, f"{LOGIN}?next={ADMIN}")


def test_the_admin_is_served_at_its_url_only(server: Server) -> None:
    assert fetch(server, LOGIN).status == 200
    assert fetch(server, "/admin/login/").status == 404


def test_without_the_admin_its_url_answers_404(
    server_environment: dict[str, str], tmp_path: Path
) -> None:
    environment = {**server_environment, "DJANGO_ADMIN_ENABLED": "false"}
    with production_server(environment, log=tmp_path / "server.log") as server:
        assert fetch(server, "/admin/login/").status == 404
        assert fetch(server, "/admin/").status == 404
        assert fetch(server, "/health/live").status == 200


def test_production_without_a_second_factor_does_not_start(
    server_environment: dict[str, str], tmp_path: Path
) -> None:
    environment = {**server_environment, "DJANGO_ADMIN_MFA": "optional"}
    with (
        pytest.raises(RuntimeError, match=r"core\.E020"),
        production_server(environment, log=tmp_path / "server.log", startup_seconds=20),
    ):
        pass
