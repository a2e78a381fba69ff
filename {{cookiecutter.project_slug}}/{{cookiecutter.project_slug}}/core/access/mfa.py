"""Enrolling a staff user's TOTP device from the shell, the first superuser's included.

Why from the shell: with a second factor required, nobody enters the admin
before a device exists, and the admin is where django-otp adds devices. The
person who can run ``manage.py createsuperuser`` in production can run
``manage.py mfa_device_add USER`` next, and scan the printed QR code with an
authenticator app: no switch turns the requirement off, even for a moment.
Later devices can be added in the admin (OTP_TOTP: TOTP devices), which
shows each one's QR code to the staff user adding it.
"""

import io
from dataclasses import dataclass

import qrcode
from django.contrib.auth.base_user import AbstractBaseUser
from django_otp.plugins.otp_totp.models import TOTPDevice


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    url: str  # otpauth://totp/...: the secret, for an authenticator app
    qr_code: str  # the same URL as a QR code of text, for a terminal


def mfa_device_add(*, user: AbstractBaseUser, name: str) -> Enrolment:
    """A confirmed TOTP device for ``user``, and how to put it into an authenticator app."""
    device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
    url = device.config_url
    code = qrcode.QRCode(border=2)
    code.add_data(url)
    drawn = io.StringIO()
    code.print_ascii(out=drawn, invert=True)
    return Enrolment(device=device, url=url, qr_code=drawn.getvalue())
