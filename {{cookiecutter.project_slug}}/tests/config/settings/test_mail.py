"""config/settings/mail.py: production mail goes where the environment says, bounded in time.

A production process, configured only by its environment (the password from a
mounted file), sends a mail that a loopback SMTP server receives under the
configured login; a send to a server that never answers gives up after
EMAIL_TIMEOUT (one second in the test settings) instead of hanging.
"""

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.core.mail import send_mail
from pytest_django import Settings

from tests.support.environments import production_environment
from tests.support.loopback import HOST, silent_listener
from tests.support.processes import python_child
from tests.support.smtp import smtp_server

# A loopback address of its own: Django's default host (localhost) would not reach it.
SMTP_HOST = "127.0.0.2"
SEND = (
    "from django.core.mail import send_mail\n"
    "send_mail('Order 7 confirmed', 'Thank you for your order.', None, ['ann@example.com'])\n"
)


def production_send(port: int, **variables: str) -> subprocess.CompletedProcess[str]:
    """SEND in a production process configured only by its environment."""
    environment = production_environment(EMAIL_HOST=SMTP_HOST, EMAIL_PORT=str(port), **variables)
    return python_child(SEND, env={"PATH": os.environ["PATH"], **environment})


@pytest.mark.processes
def test_a_production_mail_reaches_the_configured_server_under_its_login(tmp_path: Path) -> None:
    password_file = tmp_path / "smtp-password"
    password_file.write_text("mailer-password\n")  # as an orchestrator mounts a secret
    with smtp_server(SMTP_HOST) as server:
        child = production_send(
            server.port,
            EMAIL_HOST_USER="mailer",
            EMAIL_HOST_PASSWORD_FILE=str(password_file),
            DEFAULT_FROM_EMAIL="Orders <orders@example.com>",
        )
    assert child.returncode == 0, child.stderr
    (mail,) = server.received
    assert mail.login == ("mailer", "mailer-password")
    assert (mail.sender, mail.recipients) == ("orders@example.com", ["ann@example.com"])
    assert "Subject: Order 7 confirmed" in mail.data
    assert "From: Orders <orders@example.com>" in mail.data


@pytest.mark.processes
def test_with_email_use_tls_no_password_crosses_without_starttls() -> None:
    """The loopback server offers no STARTTLS: the send is refused before any login."""
    with smtp_server(SMTP_HOST) as server:
        child = production_send(
            server.port,
            EMAIL_HOST_USER="mailer",
            EMAIL_HOST_PASSWORD="mailer-password",
            EMAIL_USE_TLS="true",
        )
    assert child.returncode != 0
    assert "STARTTLS extension not supported by server" in child.stderr
    assert server.received == []
    assert server.logins == [], "the password crossed in clear"


def test_a_send_to_a_silent_server_gives_up_after_email_timeout(
    settings: Settings,
) -> None:
    failures: list[tuple[str, float]] = []
    with silent_listener(lifetime=10) as port:
        # The default mailer sends through SMTP to a server that hangs; the timeout
        # stays the settings' own, set in the form the running Django reads.
        if settings.MAILERS_SUPPORTED:  # config/settings/mail.py
            options = {**settings.SMTP_OPTIONS, "host": HOST, "port": port}
            settings.MAILERS = {"default": {"BACKEND": settings.SMTP_BACKEND, "OPTIONS": options}}
        else:
            settings.EMAIL_BACKEND = settings.SMTP_BACKEND
            settings.EMAIL_HOST, settings.EMAIL_PORT = HOST, port

        def send() -> None:
            started = time.monotonic()
            try:
                send_mail("Order 7 confirmed", "Thank you.", None, ["ann@example.com"])
            except OSError as error:
                failures.append((str(error), time.monotonic() - started))

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        sender.join(timeout=5)
        assert not sender.is_alive(), "the send still waits on the silent server"
    ((error, seconds),) = failures
    assert "timed out" in error  # smtplib: "Connection unexpectedly closed: timed out"
    assert settings.SMTP_OPTIONS["timeout"] == 1, "the test settings' timeout"
    assert 0.9 < seconds < 2.5
