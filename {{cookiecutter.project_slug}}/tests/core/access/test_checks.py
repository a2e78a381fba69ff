"""core/access/checks.py: production refuses an admin that lets staff in with a password alone."""

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.access.checks import (
    OTP_MIDDLEWARE,
    check_admin_mfa,
)

from tests.support.checks import ids


@pytest.fixture
def production(settings: Settings) -> Settings:
    settings.ENVIRONMENT = "production"
    settings.ADMIN_MFA_REQUIRED = True
    return settings


def test_the_production_admin_with_mfa_required_passes(production: Settings) -> None:
    assert check_admin_mfa(None) == []


def test_mfa_optional_stops_production(production: Settings) -> None:
    production.ADMIN_MFA_REQUIRED = False
    messages = check_admin_mfa(None)
    assert ids(messages) == ["core.E020"]
    assert "DJANGO_ADMIN_MFA is optional" in messages[0].msg
    assert "mfa_device_add" in str(messages[0].hint), "how the first superuser gets in"


def test_the_otp_middleware_removed_stops_production(production: Settings) -> None:
    production.MIDDLEWARE = [name for name in production.MIDDLEWARE if name != OTP_MIDDLEWARE]
    assert ids(check_admin_mfa(None)) == ["core.E020"]


def test_another_admin_site_stops_production(
    production: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin.site, "_wrapped", AdminSite())
    assert ids(check_admin_mfa(None)) == ["core.E020"]


def test_elsewhere_or_without_an_admin_mfa_is_optional(settings: Settings) -> None:
    settings.ADMIN_MFA_REQUIRED = False
    assert check_admin_mfa(None) == [], "the test settings"
    settings.ENVIRONMENT, settings.ADMIN_ENABLED = "production", False
    assert check_admin_mfa(None) == [], "no admin, no door"
