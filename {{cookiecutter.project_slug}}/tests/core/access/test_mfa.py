"""manage.py mfa_device_add: the first superuser enrols from the shell, with MFA required."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.users.models import User

from tests.support.logins import PASSWORD, totp_now

pytestmark = pytest.mark.django_db


def test_the_printed_device_lets_the_superuser_in(client: Client, settings: Settings) -> None:
    settings.ADMIN_MFA_REQUIRED = True
    User.objects.create_superuser("root", password=PASSWORD)
    printed = io.StringIO()
    call_command("mfa_device_add", "root", stdout=printed, stderr=io.StringIO())
    url = re.search(r"otpauth://totp/\S+", printed.getvalue())
    assert url is not None
    assert "\u2588" in printed.getvalue() or "#" in printed.getvalue(), "a QR code to scan"
    device = TOTPDevice.objects.get(user__username="root")
    assert device.confirmed
    assert device.config_url == url.group(0)
    answer = client.post(
        "/admin/login/",
        {
            "username": "root",
            "password": PASSWORD,
            "otp_token": totp_now(device),
            "next": "/admin/",
        },
    )
    assert answer.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_only_staff_get_a_device() -> None:
    User.objects.create_user("client")
    with pytest.raises(CommandError, match="not staff"):
        call_command("mfa_device_add", "client", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No user"):
        call_command("mfa_device_add", "nobody", stdout=io.StringIO())
