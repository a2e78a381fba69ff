"""Issuing, checking and revoking API keys (``ApiKey``); the key is shown once.

A key reads ``<prefix>.<secret>``: the prefix (8 hex characters) finds the
row, the secret (32 random bytes) proves possession. Only the SHA-256 digest
of the whole key is stored, and digests are compared in constant time.

A service that calls the API is a user of its own (``api_client_create``):
not staff, no password, so its key is all it can sign in with and the admin
stays closed to it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from {{ cookiecutter.project_slug }}.users.models import ApiKey, User

# Anything else is refused before a query is made: no odd bytes reach the database.
KEY_FORMAT = re.compile(r"^(?P<prefix>[0-9a-f]{8})\.(?P<secret>[A-Za-z0-9_-]{43})$")
# last_used_at is written at most this often per key, not on every request.
LAST_USED_PRECISION = timedelta(hours=1)


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    key: str  # the only time the whole key exists: hand it to the client, never store it


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_generate(api_key: ApiKey) -> str:
    """Give an unsaved ``api_key`` a new prefix and digest; return the whole key."""
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():  # 4 billion prefixes: rare
        prefix = secrets.token_hex(4)
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    api_key.prefix, api_key.digest = prefix, digest(key)
    return key


def api_client_create(*, username: str) -> User:
    """A user for an API client: no admin access and no usable password, only keys.

    Raises django.core.exceptions.ValidationError for a name Django's users may not have.
    """
    User.username_validator(username)
    return User.objects.create_user(username=username, password=None)


@transaction.atomic
def api_key_issue(*, user: User, name: str) -> IssuedKey:
    """A new key for ``user``; the returned ``key`` is never stored or shown again."""
    api_key = ApiKey(user=user, name=name)
    key = key_generate(api_key)
    api_key.save()
    return IssuedKey(api_key=api_key, key=key)


def api_key_authenticate(key: str) -> ApiKey | None:
    """The live key that ``key`` proves, with its active user, or None: one indexed query."""
    match = KEY_FORMAT.match(key)
    if match is None:
        return None
    api_key = (
        ApiKey.objects.select_related("user")
        .filter(prefix=match["prefix"], revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if api_key is None or not hmac.compare_digest(api_key.digest, digest(key)):
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return api_key


def api_key_revoke(*, prefix: str) -> bool:
    """Revoke the key with this prefix; False when there is no live key by that prefix."""
    return bool(
        ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )
