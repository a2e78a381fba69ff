"""Security settings, strict by default: production uses them as they are.

Local and test settings relax the HTTPS-only parts explicitly; nothing here is
relaxed by accident when an environment forgets to set something.
"""

from config import env
from config.env import Variable

env.declare(
    {
        "DJANGO_SECRET_KEY": Variable(
            "a random string of at least 50 characters",
            "Signs sessions, CSRF tokens and password-reset links.",
            secret=True,
        ),
        "DJANGO_DEBUG": Variable(
            "true or false", "Debug pages. Never true in production.", "false"
        ),
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
