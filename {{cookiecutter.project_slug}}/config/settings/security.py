"""Security settings, strict by default: production uses them as they are.

Local and test settings relax the HTTPS-only parts explicitly; nothing here is
relaxed by accident when an environment forgets to set something.
"""

import zlib

from config import env
from config.env import Variable
from config.settings.development import TEST_SECRET_KEY

env.declare(
    {
        "DJANGO_SECRET_KEY": Variable(
            "a random string of at least 50 characters, e.g. from "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'",
            "Signs sessions, CSRF tokens and password-reset links.",
            secret=True,
        ),
        "DJANGO_SECRET_KEY_FALLBACKS": Variable(
            "comma-separated earlier secret keys, or empty",
            "Keys being rotated out: sessions and reset links they signed stay valid until "
            "removed from here.",
            "",
            secret=True,
        ),
        "DJANGO_DEBUG": Variable("true or false", "Debug pages. Production refuses true.", "false"),
        "DJANGO_ALLOWED_HOSTS": Variable(
            "comma-separated host names, e.g. api.example.com,www.example.com",
            "Host headers the service answers.",
        ),
        "DJANGO_CSRF_TRUSTED_ORIGINS": Variable(
            "comma-separated origins, e.g. https://www.example.com",
            "Origins allowed to POST forms across hosts.",
            "",
        ),
        "DJANGO_SECURE_SSL_REDIRECT": Variable(
            "true or false",
            "Redirect plain HTTP to HTTPS. Keep true unless the proxy already does it.",
            "true",
        ),
    }
)

SECRET_KEY = env.read_str("DJANGO_SECRET_KEY", min_length=50)
# Rotation without logging everyone out: the new key signs, the old ones still verify.
# Drop an old key once its sessions and links have expired (SESSION_COOKIE_AGE).
SECRET_KEY_FALLBACKS = env.read_list("DJANGO_SECRET_KEY_FALLBACKS")
DEBUG = env.read_bool("DJANGO_DEBUG")
ALLOWED_HOSTS = env.read_list("DJANGO_ALLOWED_HOSTS", required=True)
CSRF_TRUSTED_ORIGINS = env.read_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# TLS ends at the load balancer, which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.read_bool("DJANGO_SECURE_SSL_REDIRECT")
# The health endpoint is probed over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# --- What a browser may do with the pages (the admin, the API docs page) ---
# Scripts, styles, images and fonts from this origin only, so an injected <script> or
# inline handler does not run; no page of ours needs an inline script (the admin's and
# the docs page's are files), so no nonce is issued. Plain strings, the form both
# django-csp and Django 6's built-in CSP take: on Django 6 this dict becomes SECURE_CSP
# (docs/security.md). Sent on pages and SVG images, not on JSON (core/access/pages.py).
CSP_DIRECTIVES: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    # The docs page's stylesheet draws its icons from data: URIs.
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_DIRECTIVES}
# Browser features no page of the service uses, denied to it and to anything it embeds.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Keys that stand in a file of this repository, which anyone with the code can read.
KNOWN_SECRET_KEYS = frozenset({TEST_SECRET_KEY})


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` must not sign production sessions, or None when it may.

    Beyond Django's own check (length, Django's insecure prefix): no key that
    stands in the repository, and no key with little randomness in it, which
    a run of a few characters, or one that compresses well, gives away.
    """
    if key.startswith("django-insecure-"):
        return "Django's development prefix django-insecure-"
    if key in KNOWN_SECRET_KEYS:
        return "a key written in this repository"
    if len(set(key)) < 10 or len(zlib.compress(key.encode())) < 0.8 * len(key):
        return "too little randomness"
    return None


def refuse_unsafe_in_production() -> None:
    """What production never starts with; production.py calls this before env.check()."""
    if DEBUG:
        env.refuse("DJANGO_DEBUG", "true", "debug pages show settings and code to any caller")
    problem = secret_key_problem(SECRET_KEY)
    if SECRET_KEY and problem:
        env.refuse("DJANGO_SECRET_KEY", SECRET_KEY, problem)
    for fallback in SECRET_KEY_FALLBACKS:
        if problem := secret_key_problem(fallback):
            env.refuse("DJANGO_SECRET_KEY_FALLBACKS", fallback, problem)
    if "*" in ALLOWED_HOSTS:
        env.refuse("DJANGO_ALLOWED_HOSTS", ",".join(ALLOWED_HOSTS), "'*' answers any Host header")
