"""Logging in as a person does, for the tests of core/access/: the admin's form, a TOTP code.

``Visitor`` fills in the booted server's login form as a browser would, from
an address of the test's choosing; ``totp_now`` is the code an authenticator
app shows.

``TestClientLockoutBackend``: Django's test client (``client.login()``)
authenticates with no request, which axes' backend refuses
(AxesBackendRequestParameterRequired), though a test logging its user in is no
login to throttle. config/settings/test.py puts this backend first instead: a
login through a view (the admin's form, with its request) is still counted and
refused as in production.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.http import HttpRequest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.support.loopback import HOST
from tests.support.servers import Answer, Server

PASSWORD = "a-long-enough-password-for-tests"
# PASSWORD as the production server reads it: the test settings hash with MD5, which
# production does not accept. Few iterations, so each check is quick (a login re-hashes).
PASSWORD_FOR_SERVERS = PBKDF2PasswordHasher().encode(PASSWORD, "tests-salt", iterations=1000)


class TestClientLockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]  # axes is untyped
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is not None:  # a login through a view: refused when locked out, as ever
            super().authenticate(request, username, password, **kwargs)


def totp_now(device: TOTPDevice) -> str:
    """The code an authenticator app shows for ``device`` now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


@dataclass
class Visitor:
    """A browser's side of the booted server: its cookies, the address it connects from.

    ``forwarded_for`` is sent as X-Forwarded-For, as a load balancer adds it;
    ``source`` is the loopback address the connection comes from (127.0.0.2 is
    not the server's trusted proxy when WEB_FORWARDED_ALLOW_IPS is 127.0.0.1).
    """

    server: Server
    forwarded_for: str | None = None
    source: str = HOST
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        sent = {"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})}
        if self.forwarded_for:
            sent["X-Forwarded-For"] = self.forwarded_for
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection(
            HOST, self.server.port, timeout=10, source_address=(self.source, 0)
        )
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            for header in response.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return Answer(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    def login(self, login_path: str, username: str, password: str, code: str = "") -> Answer:
        """The admin's login form, filled in and sent as a browser does (CSRF token, Origin)."""
        self.request("GET", login_path)  # the form, and its csrftoken cookie
        fields = {
            "csrfmiddlewaretoken": self.cookies["csrftoken"],
            "username": username,
            "password": password,
            "otp_token": code,
        }
        return self.request(
            "POST",
            login_path,
            body=urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{HOST}",
            },
        )
