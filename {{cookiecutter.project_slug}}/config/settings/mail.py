"""Outgoing mail: the SMTP server production sends through, bounded in time.

Why from the environment: without these variables Django sends to localhost:25,
where no production container (nor compose's) has a mail server, and every
confirmation a task sends is retried until it is dead-lettered. Why
EMAIL_TIMEOUT: Django's SMTP backend waits forever on a silent server without
it, and a task sending mail would hold its worker process (and, for the shop's
confirmation, a locked row) until the hard time limit.

Local settings write mail to files instead (config/settings/local.py), tests
keep it in memory (config/settings/test.py): neither needs a server.

Django 6.1 replaces the EMAIL_* settings with MAILERS (the old ones warn until
Django 7.0, and the two may not be mixed). The project runs Django 5.2; the
newest-Django check (make test-django-next) runs the newest release. So the
SMTP options are read once into SMTP_OPTIONS and set in the form the running
Django reads: drop the EMAIL_* branch once the lock moves to Django 6.2.
"""

from typing import Any

import django

from config import env
from config.env import Variable

env.declare(
    {
        "EMAIL_HOST": Variable(
            "a host name, e.g. smtp.example.com",
            "The SMTP server that sends the service's mail: your provider's, or a relay.",
            "localhost",
        ),
        "EMAIL_PORT": Variable(
            "a port number: 587 with EMAIL_USE_TLS=true, 25 for a relay",
            "The SMTP server's port.",
            "25",
        ),
        "EMAIL_HOST_USER": Variable(
            "a user name, or empty for none",
            "Who the service signs in to the SMTP server as.",
            "",
        ),
        "EMAIL_HOST_PASSWORD": Variable(
            "a password, or empty for none",
            "The SMTP user's password.",
            "",
            secret=True,
        ),
        "EMAIL_USE_TLS": Variable(
            "true or false",
            "STARTTLS before signing in (port 587): the password never crosses in clear.",
            "false",
        ),
        "EMAIL_TIMEOUT": Variable(
            "seconds, at least 1",
            "A send to a server that stops answering gives up after this long (and the "
            "task retries) instead of holding the worker.",
            "10",
        ),
        "DEFAULT_FROM_EMAIL": Variable(
            "an address, e.g. Orders <orders@example.com>",
            "The sender of the mail the service sends.",
            "webmaster@localhost",
        ),
    }
)

# Whether this Django reads MAILERS (6.1+) rather than EMAIL_* (5.2).
MAILERS_SUPPORTED = django.VERSION >= (6, 1)
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# The SMTP backend's arguments, by the names both Django versions' backend takes.
SMTP_OPTIONS: dict[str, Any] = {
    "host": env.read_str("EMAIL_HOST", min_length=1),
    "port": env.read_int("EMAIL_PORT", minimum=1),
    "username": env.read_str("EMAIL_HOST_USER"),
    "password": env.read_str("EMAIL_HOST_PASSWORD"),
    "use_tls": env.read_bool("EMAIL_USE_TLS"),
    "timeout": env.read_float("EMAIL_TIMEOUT", minimum=1),
}
DEFAULT_FROM_EMAIL = env.read_str("DEFAULT_FROM_EMAIL", min_length=3)

if MAILERS_SUPPORTED:
    MAILERS: dict[str, dict[str, Any]] = {
        "default": {"BACKEND": SMTP_BACKEND, "OPTIONS": SMTP_OPTIONS}
    }
else:
    EMAIL_BACKEND = SMTP_BACKEND
    EMAIL_HOST = SMTP_OPTIONS["host"]
    EMAIL_PORT = SMTP_OPTIONS["port"]
    EMAIL_HOST_USER = SMTP_OPTIONS["username"]
    EMAIL_HOST_PASSWORD = SMTP_OPTIONS["password"]
    EMAIL_USE_TLS = SMTP_OPTIONS["use_tls"]
    EMAIL_TIMEOUT = SMTP_OPTIONS["timeout"]
