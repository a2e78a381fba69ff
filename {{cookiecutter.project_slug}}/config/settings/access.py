"""Who gets in through the one door a person opens with a secret they chose: the admin.

Why: API keys are long and random, so guessing them is hopeless; staff
passwords are chosen by people. So the admin's login counts failures and
refuses more (django-axes), asks staff for a second factor (django-otp TOTP:
required in production, core.E020), and a staff session ends after a fixed
age and when idle. The code is in core/access/.

Failures are counted in PostgreSQL (axes' database handler), not in the
shared cache: with Redis down the cache answers every lookup with a miss
(config/settings/cache.py), which would forget every count and lift every
lockout while it lasts. A login needs the database anyway, so counting there
adds no dependency. The address counted is the client's as the trusted proxies
tell it (core/access/client.py, with gunicorn's WEB_FORWARDED_ALLOW_IPS).
"""

import re
from datetime import timedelta

from config import env
from config.env import Variable

env.declare(
    {
        "DJANGO_ADMIN_ENABLED": Variable(
            "true or false",
            "Serve the admin; false removes its routes (a service without staff pages).",
            "true",
        ),
        "DJANGO_ADMIN_URL": Variable(
            "a path of letters, digits, '-', '_' and '/' ending in '/', e.g. staff-7f3a/",
            "Where the admin is served. Another path keeps scanners off the login page; "
            "the lockout and the second factor are what protect it.",
            "admin/",
        ),
        "DJANGO_ADMIN_MFA": Variable(
            "required or optional",
            "required: staff enter the admin with their password and a TOTP code "
            "(manage.py mfa_device_add USER enrols a device). Production refuses optional (core.E020).",
            "required",
        ),
        "DJANGO_LOGIN_FAILURE_LIMIT": Variable(
            "a whole number, at least 1",
            "Failed logins after which every further attempt is refused, the right "
            "password included, until the lockout ends.",
            "5",
        ),
        "DJANGO_LOGIN_LOCKOUT_SECONDS": Variable(
            "whole seconds, at least 1",
            "A lockout lasts this long after the last attempt (manage.py axes_reset_username "
            "NAME or axes_reset_ip ADDRESS ends it sooner).",
            "900",
        ),
        "DJANGO_LOGIN_LOCKOUT_BY": Variable(
            "comma-separated items among username, address, username+address",
            "What failures are counted by, each item on its own: username (one account "
            "guessed from anywhere), address (one client trying many accounts), "
            "username+address (only the pair).",
            "username,address",
        ),
        "DJANGO_STAFF_SESSION_SECONDS": Variable(
            "whole seconds, at least 1",
            "A staff session ends this long after login, however active.",
            "43200",
        ),
        "DJANGO_STAFF_SESSION_IDLE_SECONDS": Variable(
            "whole seconds, at least 1",
            "A staff session ends after this long without an admin request.",
            "1800",
        ),
    }
)

# --- The admin's routes (config/urls.py) ---
ADMIN_ENABLED = env.read_bool("DJANGO_ADMIN_ENABLED")
ADMIN_URL = env.read_str("DJANGO_ADMIN_URL")
if not re.fullmatch(r"([\w-]+/)+", ADMIN_URL):
    env.refuse("DJANGO_ADMIN_URL", ADMIN_URL, "not a relative path ending in '/'")
    ADMIN_URL = "admin/"
ADMIN_MFA_REQUIRED = env.read_choice("DJANGO_ADMIN_MFA", ("required", "optional")) == "required"

# --- Login throttling and lockout (django-axes) ---
# The lockout backend first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.read_int("DJANGO_LOGIN_FAILURE_LIMIT", minimum=1)
AXES_COOLOFF_TIME = timedelta(seconds=env.read_int("DJANGO_LOGIN_LOCKOUT_SECONDS", minimum=1))
_COUNTED_BY = {
    "username": "username",
    "address": "ip_address",
    "username+address": ["username", "ip_address"],
}
_lockout_by = env.read_list("DJANGO_LOGIN_LOCKOUT_BY", required=True)
if _unknown := [item for item in _lockout_by if item not in _COUNTED_BY]:
    env.refuse("DJANGO_LOGIN_LOCKOUT_BY", ",".join(_lockout_by), f"unknown: {', '.join(_unknown)}")
AXES_LOCKOUT_PARAMETERS = [_COUNTED_BY[item] for item in _lockout_by if item in _COUNTED_BY]
_ACCESS = "{{ cookiecutter.project_slug }}.core.access"
# The client's address behind the load balancer, by the proxies gunicorn trusts.
AXES_CLIENT_IP_CALLABLE = f"{_ACCESS}.client.client_address"
# 429 and a page that says how long to wait.
AXES_LOCKOUT_CALLABLE = f"{_ACCESS}.lockout.lockout_response"

# --- The second factor (django-otp): the name an authenticator app shows beside the code ---
OTP_TOTP_ISSUER = {{ cookiecutter.project_name | tojson }}

# --- Staff sessions (core/access/sessions.py) ---
STAFF_SESSION_SECONDS = env.read_int("DJANGO_STAFF_SESSION_SECONDS", minimum=1)
STAFF_SESSION_IDLE_SECONDS = env.read_int("DJANGO_STAFF_SESSION_IDLE_SECONDS", minimum=1)
# Every session is a staff session here (the admin's login is the only one): none outlives this.
SESSION_COOKIE_AGE = STAFF_SESSION_SECONDS
