"""The project's user model and the API keys that belong to users.

Why a custom user model from the first migration: Django's documentation
recommends it for every new project, because switching AUTH_USER_MODEL after
tables exist means rewriting the migration history. It adds nothing yet; it
is the place to add fields later.

Why keys are stored as digests: a leaked database (or backup) must not hand
out working keys. A key is random, so a fast SHA-256 digest is enough (slow
password hashing defends guessable secrets, which a key is not); the short
public prefix finds the row without scanning.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    pass


class ApiKey(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(
        max_length=100, help_text="What the key is for, e.g. 'billing service'."
    )
    # The key's public first part: shown in the admin and in logs, never secret.
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    # SHA-256 of the whole key, hex; the key itself is shown once and never stored.
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix} ({self.name})"
