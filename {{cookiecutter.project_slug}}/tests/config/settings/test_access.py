"""config/settings/access.py: the admin's door as the environment sets it; a bad value stops start-up."""

import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.config.test_env import import_production_settings


def test_production_requires_a_second_factor_and_counts_both_ways(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import_production_settings(monkeypatch)
    production = sys.modules["config.settings.production"]
    assert production.ADMIN_MFA_REQUIRED
    assert production.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert production.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"


def test_bad_values_are_refused_naming_their_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        import_production_settings(
            monkeypatch,
            DJANGO_ADMIN_URL="/admin",
            DJANGO_ADMIN_MFA="sometimes",
            DJANGO_LOGIN_LOCKOUT_BY="username,cookie",
            WEB_FORWARDED_ALLOW_IPS="10.0.0.1/8",
        )
    message = str(refused.value)
    assert "DJANGO_ADMIN_URL='/admin' is invalid (not a relative path ending in '/')" in message
    assert "DJANGO_ADMIN_MFA='sometimes' is invalid. Expected required or optional" in message
    assert "DJANGO_LOGIN_LOCKOUT_BY='username,cookie' is invalid (unknown: cookie)" in message
    assert "WEB_FORWARDED_ALLOW_IPS='10.0.0.1/8' is invalid ('10.0.0.1/8' is no address)" in message
