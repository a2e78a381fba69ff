"""The admin site of core/access/: a second factor where required, sessions that end."""

import time

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.access.sessions import LOGGED_IN_AT, SEEN_AT
from {{ cookiecutter.project_slug }}.users.models import User

from tests.support.logins import PASSWORD, totp_now

pytestmark = pytest.mark.django_db

LOGIN, INDEX = "/admin/login/", "/admin/"


@pytest.fixture
def superuser() -> User:
    return User.objects.create_superuser("root", password=PASSWORD)


@pytest.fixture
def mfa_required(settings: Settings) -> None:
    settings.ADMIN_MFA_REQUIRED = True  # as in production


@pytest.mark.usefixtures("mfa_required")
def test_without_a_second_factor_a_superuser_stays_out(client: Client, superuser: User) -> None:
    answer = client.post(LOGIN, {"username": "root", "password": PASSWORD, "next": INDEX})
    assert answer.status_code == 200, "the form again, asking for the code"
    assert "_auth_user_id" not in client.session
    client.force_login(superuser)  # a session with the password alone, however it was had
    assert client.get(INDEX).status_code == 302


@pytest.mark.usefixtures("mfa_required")
def test_with_a_code_from_the_device_a_superuser_is_let_in(client: Client, superuser: User) -> None:
    device = TOTPDevice.objects.create(user=superuser, name="phone", confirmed=True)
    answer = client.post(
        LOGIN,
        {"username": "root", "password": PASSWORD, "otp_token": totp_now(device), "next": INDEX},
    )
    assert (answer.status_code, answer["Location"]) == (302, INDEX)
    assert client.get(INDEX).status_code == 200


def test_where_optional_the_password_alone_is_enough(client: Client, superuser: User) -> None:
    answer = client.post(LOGIN, {"username": "root", "password": PASSWORD, "next": INDEX})
    assert (answer.status_code, answer["Location"]) == (302, INDEX)
    assert client.get(INDEX).status_code == 200


def age(client: Client, **seconds_ago: float) -> None:
    """Move the session's login or last-seen time back, as waiting would."""
    session = client.session
    for key, seconds in seconds_ago.items():
        session[key] = time.time() - seconds
    session.save()


def test_an_idle_staff_session_ends(client: Client, superuser: User, settings: Settings) -> None:
    settings.STAFF_SESSION_IDLE_SECONDS = 600
    client.force_login(superuser)
    assert client.get(INDEX).status_code == 200
    age(client, **{SEEN_AT: 599})
    assert client.get(INDEX).status_code == 200, "seen again: the idle time starts over"
    age(client, **{SEEN_AT: 601})
    assert client.get(INDEX).status_code == 302
    assert "_auth_user_id" not in client.session, "logged out, not only turned away"


def test_a_staff_session_ends_at_its_age_however_active(
    client: Client, superuser: User, settings: Settings
) -> None:
    client.force_login(superuser)
    assert client.get("/api/v1/me").status_code == 200, "the API takes the browser's session"
    age(client, **{LOGGED_IN_AT: settings.STAFF_SESSION_SECONDS + 1, SEEN_AT: 1})
    assert client.get("/api/v1/me").status_code == 401, "ended for the API"
    client.force_login(superuser)
    age(client, **{LOGGED_IN_AT: settings.STAFF_SESSION_SECONDS + 1, SEEN_AT: 1})
    assert client.get(INDEX).status_code == 302, "and for the admin"


def test_a_password_change_ends_the_users_other_sessions(client: Client, superuser: User) -> None:
    """Django's own: each session carries a hash of the password it was opened with."""
    elsewhere = Client()
    elsewhere.force_login(superuser)
    client.force_login(superuser)
    old_key = client.session.session_key
    answer = client.post(
        "/admin/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "an-other-long-pass",
            "new_password2": "an-other-long-pass",
        },
    )
    assert answer.status_code == 302
    assert client.get(INDEX).status_code == 200, "the session that changed it stays"
    assert client.session.session_key != old_key, "under a new key"
    assert elsewhere.get(INDEX).status_code == 302
