"""API keys: stored only as digests, issued and revoked by command and in the admin, shown once."""

import hashlib
import hmac
import io
import secrets
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, Settings

from {{ cookiecutter.project_slug }}.users.keys import (
    LAST_USED_PRECISION,
    api_key_authenticate,
    api_key_issue,
    api_key_revoke,
    digest,
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


def test_the_digests_are_compared_in_constant_time_and_nothing_else_decides(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """hmac.compare_digest (secrets' is the same function) gives the answer, for good and bad keys.

    Its answer is turned around here: a key accepted without it, or refused
    by another comparison first (``==`` stops at the first differing byte), would show.
    """
    issued = api_key_issue(user=user, name="billing")
    forged = f"{issued.api_key.prefix}.{'A' * 43}"
    compared: list[tuple[str, str]] = []

    def opposite(a: str, b: str) -> bool:
        compared.append((a, b))
        return a != b

    monkeypatch.setattr(hmac, "compare_digest", opposite)
    monkeypatch.setattr(secrets, "compare_digest", opposite)
    assert api_key_authenticate(issued.key) is None
    assert api_key_authenticate(forged) is not None
    stored = issued.api_key.digest
    assert compared == [(stored, digest(issued.key)), (stored, digest(forged))]


def test_last_used_at_is_written_at_most_hourly(
    user: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """Not a write per request: a busy client would turn every read into a row update."""
    issued = api_key_issue(user=user, name="billing")
    with django_assert_num_queries(2):  # the lookup, then the first use written
        api_key_authenticate(issued.key)
    first_use = ApiKey.objects.get().last_used_at
    assert first_use is not None
    with django_assert_num_queries(1):  # within the hour: the lookup only
        api_key_authenticate(issued.key)
    assert ApiKey.objects.get().last_used_at == first_use
    an_hour_ago = timezone.now() - LAST_USED_PRECISION - timedelta(seconds=1)
    ApiKey.objects.update(last_used_at=an_hour_ago)
    with django_assert_num_queries(2):
        api_key_authenticate(issued.key)
    last_used = ApiKey.objects.get().last_used_at
    assert last_used is not None
    assert last_used > an_hour_ago


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


def test_the_command_names_a_missing_user_and_how_to_create_it() -> None:
    with pytest.raises(CommandError, match=r"No user 'nobody'\. Add --create"):
        call_command("api_key_issue", "nobody", "--name", "x", stdout=io.StringIO())
    assert not User.objects.exists()
    with pytest.raises(CommandError, match="No live key with prefix"):
        call_command("api_key_revoke", "deadbeef", stdout=io.StringIO())


def test_create_makes_a_client_that_only_its_keys_let_in(client: Client) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("api_key_issue", "billing", "--create", "--name", "b", stdout=out, stderr=err)
    assert "Created the API client user billing" in err.getvalue()
    created = User.objects.get(username="billing")
    assert not created.has_usable_password()
    headers = {"Authorization": f"Bearer {out.getvalue().strip()}"}
    assert client.get("/api/v1/me", headers=headers).json()["username"] == "billing"
    client.force_login(created)  # even with a session, the admin stays closed
    assert client.get("/admin/").status_code == 302
    # Run again, --create finds the client and only issues another key.
    call_command("api_key_issue", "billing", "--create", "--name", "c", stdout=io.StringIO())
    assert (User.objects.count(), ApiKey.objects.count()) == (1, 2)


def test_create_refuses_a_name_django_users_may_not_have() -> None:
    with pytest.raises(CommandError, match="Cannot create user 'two words'"):
        call_command("api_key_issue", "two words", "--create", "--name", "x", stdout=io.StringIO())
    assert not User.objects.exists()


def test_an_inactive_user_gets_no_key(user: User) -> None:
    user.is_active = False
    user.save()
    with pytest.raises(CommandError, match="User 'alice' is inactive"):
        call_command("api_key_issue", "alice", "--name", "x", stdout=io.StringIO())
    assert not ApiKey.objects.exists()


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


def test_a_refused_key_is_told_apart_from_a_missing_one(client: Client, api_key: str) -> None:
    def detail(authorization: str | None) -> str:
        headers = {"Authorization": authorization} if authorization is not None else {}
        response = client.get("/api/v1/me", headers=headers)
        assert (response.status_code, response.json()["error"]) == (401, "unauthorized")
        return str(response.json()["detail"])

    # Nothing a key could be: how to send one.
    for missing in (None, "", "Basic YWxpY2U6cw=="):
        assert "send Authorization: Bearer <API key>" in detail(missing)
    # A key, refused: forged, malformed or revoked, it was not accepted.
    assert api_key_revoke(prefix=api_key.split(".", 1)[0])
    for refused in (api_key, f"{api_key[:9]}{'A' * 43}", "nope"):
        assert detail(f"Bearer {refused}").startswith("The API key was not accepted")
