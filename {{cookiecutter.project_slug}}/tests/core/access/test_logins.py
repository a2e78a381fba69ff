"""Failed admin logins counted, refused past the limit, told: core/access/ with django-axes.

In-process, through the admin's own login form; tests/core/access/test_login_server.py
does the same against the booted production server, with real waits.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from prometheus_client import REGISTRY
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.users.models import User

from tests.support.logins import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
LIMIT = 5  # DJANGO_LOGIN_FAILURE_LIMIT's default
HERE, THERE = "198.51.100.1", "198.51.100.2"


@pytest.fixture
def staff() -> User:
    return User.objects.create_superuser("staff", password=PASSWORD)


def login(client: Client, username: str, password: str, address: str = HERE) -> int:
    """The status of one login through the admin's form: 302 in, 200 refused, 429 locked out."""
    data = {"username": username, "password": password, "next": "/admin/"}
    return client.post(LOGIN, data, REMOTE_ADDR=address).status_code


def test_past_the_limit_the_right_password_is_refused_until_the_lockout_ends(
    client: Client, staff: User
) -> None:
    # Refused (the form again), and the last one that reaches the limit locks the username out.
    assert [login(client, "staff", "guess") for _ in range(LIMIT)] == [200] * (LIMIT - 1) + [429]
    locked = client.post(LOGIN, {"username": "staff", "password": PASSWORD}, REMOTE_ADDR=HERE)
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    assert "Logins are refused for 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Fifteen minutes later (the attempts made older, as waiting would):
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(seconds=901))
    assert login(client, "staff", PASSWORD) == 302


def test_one_username_is_locked_out_from_every_address(client: Client, staff: User) -> None:
    for attempt in range(LIMIT):
        login(client, "staff", "guess", address=f"203.0.113.{attempt}")
    assert login(client, "staff", PASSWORD, address=THERE) == 429
    User.objects.create_user("other", password=PASSWORD, is_staff=True)
    assert login(client, "other", PASSWORD, address=THERE) == 302, "only that username"


def test_one_address_is_locked_out_for_every_username(client: Client, staff: User) -> None:
    for attempt in range(LIMIT):
        login(client, f"guessed-{attempt}", "guess")
    assert login(client, "staff", PASSWORD) == 429
    assert login(client, "staff", PASSWORD, address=THERE) == 302, "only that address"


def test_counted_by_the_pair_neither_the_username_nor_the_address_is_locked(
    client: Client, staff: User, settings: Settings
) -> None:
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # username+address
    for _ in range(LIMIT):
        login(client, "staff", "guess")
    assert login(client, "staff", PASSWORD) == 429
    assert login(client, "staff", PASSWORD, address=THERE) == 302


def test_the_unlock_commands_end_a_lockout(client: Client, staff: User) -> None:
    for attempt in range(LIMIT):
        login(client, "staff", "guess", address=f"203.0.113.{attempt}")
    assert login(client, "staff", PASSWORD) == 429
    call_command("axes_reset_username", "staff", verbosity=0)
    assert login(client, "staff", PASSWORD) == 302
    for attempt in range(LIMIT):
        login(client, f"guessed-{attempt}", "guess", address=THERE)
    assert login(client, "staff", PASSWORD, address=THERE) == 429
    call_command("axes_reset_ip", THERE, verbosity=0)
    assert login(client, "staff", PASSWORD, address=THERE) == 302


def failures_counted(outcome: str) -> float:
    labels = {"route": "admin/login/", "outcome": outcome}
    return REGISTRY.get_sample_value("login_failures_total", labels) or 0.0


def test_a_failed_login_is_a_log_line_and_a_counted_failure(
    client: Client, staff: User, caplog: pytest.LogCaptureFixture
) -> None:
    refused, locked = failures_counted("refused"), failures_counted("locked")
    answer = client.post(
        LOGIN, {"username": "staff", "password": "hunter2-secret"}, REMOTE_ADDR=HERE
    )
    lines = [record for record in caplog.records if getattr(record, "event", "") == "login_failed"]
    assert len(lines) == 1
    line = lines[0]
    assert (line.levelname, line.route, line.username, line.address) == (  # type: ignore[attr-defined]
        "WARNING",
        "admin/login/",
        "staff",
        HERE,
    )
    assert line.request_id == answer["X-Request-ID"]  # type: ignore[attr-defined]
    assert (line.failures, line.locked_out) == (1, False)  # type: ignore[attr-defined]
    assert "hunter2" not in caplog.text, "never the password"
    assert failures_counted("refused") == refused + 1
    for _ in range(LIMIT):
        login(client, "staff", "guess")
    assert failures_counted("locked") > locked
