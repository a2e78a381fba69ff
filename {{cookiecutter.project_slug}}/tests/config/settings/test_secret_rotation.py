"""config/settings/security.py: a rotated secret key logs nobody out.

Django signs each session's authentication hash, password-reset tokens and
signed cookies with SECRET_KEY; a new key alone voids all of them. With the
old key in DJANGO_SECRET_KEY_FALLBACKS, what it signed still verifies while
the new key signs everything from now on.
"""

import importlib
from collections.abc import Iterator

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.users.models import User

from config import env
from config.settings import security

OLD_KEY = "old-" + "k3y-Rot4tion-0ut-" * 4
NEW_KEY = "new-" + "s1gns-fr0m-n0w-0n-" * 4


@pytest.fixture
def rotated(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Iterator[None]:
    """The settings a process builds after the operator rotated the key."""
    monkeypatch.setenv("DJANGO_SECRET_KEY", NEW_KEY)
    monkeypatch.setenv("DJANGO_SECRET_KEY_FALLBACKS", OLD_KEY)
    importlib.reload(security)
    settings.SECRET_KEY = security.SECRET_KEY
    settings.SECRET_KEY_FALLBACKS = security.SECRET_KEY_FALLBACKS
    yield
    monkeypatch.undo()
    importlib.reload(security)


@pytest.fixture
def staff_signed_with_old_key(client: Client, settings: Settings) -> User:
    settings.SECRET_KEY = OLD_KEY
    user = User.objects.create_user("operator", password="pw", is_staff=True, is_superuser=True)
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
    return user


@pytest.mark.django_db
def test_a_session_signed_with_the_old_key_survives_rotation(
    client: Client, staff_signed_with_old_key: User, rotated: None
) -> None:
    assert client.get("/admin/").status_code == 200, "logged out by the rotation"


@pytest.mark.django_db
def test_a_reset_link_sent_before_rotation_still_works(settings: Settings) -> None:
    settings.SECRET_KEY = OLD_KEY
    user = User.objects.create_user("forgetful", password="pw")
    token = default_token_generator.make_token(user)
    settings.SECRET_KEY = NEW_KEY
    assert not default_token_generator.check_token(user, token), "void without the fallback"
    settings.SECRET_KEY_FALLBACKS = [OLD_KEY]
    assert default_token_generator.check_token(user, token)


def test_production_refuses_a_weak_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_problems", [])
    monkeypatch.setattr(security, "SECRET_KEY_FALLBACKS", ["a" * 60])
    security.refuse_unsafe_in_production()
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY_FALLBACKS"):
        env.check()
