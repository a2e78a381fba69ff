"""API keys: stored only as digests, issued and revoked by command and in the admin, shown once."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from pytest_django import DjangoAssertNumQueries, Settings

from {{ cookiecutter.project_slug }}.users.keys import (
    api_key_authenticate,
    api_key_issue,
    api_key_revoke,
)
from {{ cookiecutter.project_slug }}.users.models import ApiKey, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user("alice")


def test_only_the_digest_is_stored(user: User) -> None:
    issued = api_key_issue(user=user, name="billing")
    stored = ApiKey.objects.get()
    assert issued.key.startswith(f"{stored.prefix}.")
    assert stored.digest == hashlib.sha256(issued.key.encode()).hexdigest()
    secret = issued.key.split(".", 1)[1]
    assert all(secret not in str(value) for value in ApiKey.objects.values().get().values())


def test_a_key_authenticates_its_user_until_revoked(user: User) -> None:
    issued = api_key_issue(user=user, name="billing")
    authenticated = api_key_authenticate(issued.key)
    assert authenticated is not None
    assert authenticated.user == user
    assert authenticated.last_used_at is None
    assert ApiKey.objects.get().last_used_at is not None
    assert api_key_revoke(prefix=issued.api_key.prefix)
    assert api_key_authenticate(issued.key) is None
    assert not api_key_revoke(prefix=issued.api_key.prefix), "a revoked key stays revoked"


@pytest.mark.parametrize(
    "wrong",
    ["", "nope", "0123abcd.", "0123ABCD." + "a" * 43, "0123abcd." + "\x00" * 43],
)
def test_malformed_keys_are_refused_without_a_query(
    wrong: str, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(0):
        assert api_key_authenticate(wrong) is None


def test_a_forged_secret_is_refused(user: User) -> None:
    issued = api_key_issue(user=user, name="billing")
    prefix = issued.api_key.prefix
    assert api_key_authenticate(f"{prefix}.{'A' * 43}") is None


def test_an_inactive_user_key_is_refused(user: User) -> None:
    issued = api_key_issue(user=user, name="billing")
    user.is_active = False
    user.save()
    assert api_key_authenticate(issued.key) is None


def test_the_command_prints_the_key_once(user: User) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("api_key_issue", "alice", "--name", "billing", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert api_key_authenticate(key) is not None
    assert "not shown again" in err.getvalue()
    call_command("api_key_revoke", key.split(".")[0], stdout=io.StringIO())
    assert api_key_authenticate(key) is None


def test_the_command_names_a_missing_user() -> None:
    with pytest.raises(CommandError, match="No active user 'nobody'"):
        call_command("api_key_issue", "nobody", "--name", "x", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No live key with prefix"):
        call_command("api_key_revoke", "deadbeef", stdout=io.StringIO())


def test_the_admin_issues_a_key_shown_once_and_revokes_it(
    admin_client: Client, user: User, settings: Settings
) -> None:
    # The form loads the key's user and the session loads the admin: two User.get()
    # whose nearest project frame is the same middleware, which zeal would call an N+1.
    settings.ZEAL_ALLOWLIST = [{"model": "users.User", "field": "get()"}]
    response = admin_client.post(
        "/admin/users/apikey/add/", {"user": user.pk, "name": "billing"}, follow=True
    )
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    key = next(text.rsplit(" ", 1)[1] for text in shown if "shown only this once" in text)
    assert api_key_authenticate(key) is not None
    admin_client.post(
        "/admin/users/apikey/",
        {"action": "revoke", "_selected_action": [ApiKey.objects.get().pk]},
    )
    assert api_key_authenticate(key) is None


def test_me_tells_the_key_apart_from_a_session(client: Client, api_headers: dict[str, str]) -> None:
    response = client.get("/api/v1/me", headers=api_headers)
    assert response.status_code == 200
    assert response.json()["username"] == "api-client"
    assert response.json()["key"] == api_headers["Authorization"].split()[1].split(".")[0]
    assert client.get("/api/v1/me").status_code == 401
