"""Production never serves an admin that lets a superuser in with a password alone."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.contrib import admin
from django.core import checks

from {{ cookiecutter.project_slug }}.core.access.admin_site import StaffAdminSite

OTP_MIDDLEWARE = "django_otp.middleware.OTPMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


def mfa_gaps() -> list[str]:
    """What lets a staff user into the admin without a second factor."""
    gaps = []
    if not settings.ADMIN_MFA_REQUIRED:
        gaps.append("DJANGO_ADMIN_MFA is optional")
    if not isinstance(admin.site, StaffAdminSite):
        gaps.append(f"admin.site is a {type(admin.site).__name__}, not StaffAdminSite")
    middleware = list(settings.MIDDLEWARE)
    if OTP_MIDDLEWARE not in middleware or (
        AUTH_MIDDLEWARE in middleware
        and middleware.index(OTP_MIDDLEWARE) < middleware.index(AUTH_MIDDLEWARE)
    ):
        gaps.append(f"{OTP_MIDDLEWARE} is not in MIDDLEWARE after {AUTH_MIDDLEWARE}")
    return gaps


@checks.register("core")
def check_admin_mfa(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """In production, the admin's superusers (all staff) pass a second factor."""
    if not settings.ADMIN_ENABLED or getattr(settings, "ENVIRONMENT", "production") != "production":
        return []
    if not (gaps := mfa_gaps()):
        return []
    return [
        checks.Error(
            "The admin lets staff, superusers included, in with a password alone: "
            + "; ".join(gaps)
            + ".",
            hint="Set DJANGO_ADMIN_MFA=required (the default) and enrol each staff user with "
            "`manage.py mfa_device_add USERNAME`, the first superuser too (docs/security.md); "
            "or DJANGO_ADMIN_ENABLED=false for a service without an admin.",
            id="core.E020",
        )
    ]
