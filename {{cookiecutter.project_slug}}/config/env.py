"""The one typed reader of environment variables.

Why: configuration errors should stop the service at start-up with a message
that names the variable and the form it expects, not surface later as a
KeyError, a silent default or a 500 on the first request.

Every variable is declared once in ``VARIABLES`` (expected form, meaning,
default). ``.env.example`` lists exactly these names; a test keeps them in sync.
Precedence: the process environment, then ``.env`` (local and test settings
only), then the development defaults an environment module passes to
``use_defaults``, then the declared default. Production passes no development
defaults, so a required variable that is missing there stops start-up.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Variable:
    expected: str
    description: str
    default: str | None = None  # None: required
    secret: bool = False  # never echo the value in an error


VARIABLES: dict[str, Variable] = {
    # --- Django core and security ---
    "DJANGO_SECRET_KEY": Variable(
        "a random string of at least 50 characters",
        "Signs sessions, CSRF tokens and password-reset links.",
        secret=True,
    ),
    "DJANGO_DEBUG": Variable("true or false", "Debug pages. Never true in production.", "false"),
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
    "DJANGO_LOG_LEVEL": Variable(
        "one of DEBUG, INFO, WARNING, ERROR", "Level of the project's own loggers.", "INFO"
    ),
    # --- Database (config/settings/database.py) ---
    "DATABASE_URL": Variable(
        "postgres://USER:PASSWORD@HOST:PORT/NAME",
        "{{ 'PostgreSQL through PgBouncer (transaction mode).' if cookiecutter.database_pooling == 'pgbouncer' else 'PostgreSQL server.' }}",
        secret=True,
    ),
    "DATABASE_CONNECT_TIMEOUT": Variable(
        "whole seconds, at least 2 (libpq's minimum)",
        "Give up connecting after this long instead of hanging on a dead host.",
        "5",
    ),
    "DATABASE_CONN_MAX_AGE": Variable(
        "{{ '0 (the pool reuses connections itself)' if cookiecutter.database_pooling == 'django_pool' else 'whole seconds, 0 = a new connection per request' }}",
        "{{ 'Must stay 0: a pool and persistent connections exclude each other.' if cookiecutter.database_pooling == 'django_pool' else 'How long a worker thread keeps its connection. Forced to 0 under ASGI.' }}",
        "{{ '0' if cookiecutter.database_pooling == 'django_pool' else '60' }}",
    ),
{%- if cookiecutter.database_pooling == 'django_pool' %}
    "DATABASE_POOL_MIN_SIZE": Variable(
        "whole number, at least 0",
        "Connections each process's pool keeps open when idle.",
        "1",
    ),
    "DATABASE_POOL_MAX_SIZE": Variable(
        "whole number, at least 1",
        "Most connections one process's pool opens: its threads that query at once.",
        "4",
    ),
    "DATABASE_POOL_TIMEOUT": Variable(
        "whole seconds, at least 1",
        "How long a request waits for a free pooled connection before failing.",
        "10",
    ),
{%- endif %}
    "DATABASE_STATEMENT_TIMEOUT": Variable(
        "whole seconds, at least 1",
        "PostgreSQL cancels any statement running longer (manage.py db_apply_timeouts).",
        "30",
    ),
    "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT": Variable(
        "whole seconds, at least 1",
        "PostgreSQL ends a session left idle inside a transaction this long, freeing its locks.",
        "60",
    ),
    # --- Cache (config/settings/cache.py) ---
    "REDIS_URL": Variable("redis://HOST:PORT/DB", "Redis for the shared cache.", secret=True),
    "CACHE_KEY_PREFIX": Variable(
        "letters, digits, '-' or '_'",
        "Namespace of every cache key, so services can share one Redis.",
        "{{ cookiecutter.project_slug }}",
    ),
    # --- Celery (config/settings/celery.py) ---
    "CELERY_BROKER_URL": Variable(
        "{{ 'redis://HOST:PORT/DB' if cookiecutter.celery_broker == 'redis' else 'amqp://USER:PASSWORD@HOST:PORT/VHOST' }}",
        "Message broker of the Celery workers.",
        secret=True,
    ),
    "CELERY_TASK_DEFAULT_QUEUE": Variable(
        "a queue name, e.g. {{ cookiecutter.project_slug }}",
        "Queue the tasks go to and the workers read, so services sharing a broker never mix.",
        "{{ cookiecutter.project_slug }}",
    ),
    # --- Outbound HTTP (config/settings/http.py) ---
    "HTTP_CONNECT_TIMEOUT": Variable(
        "seconds, e.g. 3.05",
        "Give up connecting to an external API after this long.",
        "3.05",
    ),
    "HTTP_READ_TIMEOUT": Variable(
        "seconds, e.g. 10",
        "Give up waiting for an external API's next bytes after this long.",
        "10",
    ),
    "HTTP_RETRIES": Variable(
        "a whole number, 0 to disable",
        "Retries of idempotent requests after a connect error or a 502/503/504.",
        "2",
    ),
    "HTTP_POOL_MAXSIZE": Variable(
        "a whole number, at least 1",
        "Kept-alive connections per external host; at least the threads making calls.",
        "10",
    ),
{%- if cookiecutter.include_example_app %}
    "SHIPPING_API_URL": Variable(
        "https://HOST/PATH/",
        "Base URL of the shipping-rate API (shop/clients.py).",
        "https://shipping.example.com/v1/",
    ),
    "SHIPPING_API_TOKEN": Variable(
        "an API token, or empty to send none",
        "Bearer token for the shipping-rate API.",
        "",
        secret=True,
    ),
{%- endif %}
{%- if cookiecutter.use_sentry %}
    # --- Error reporting (config/sentry.py) ---
    "SENTRY_DSN": Variable(
        "https://KEY@HOST/PROJECT, or empty to disable",
        "Where errors are reported.",
        "",
        secret=True,
    ),{% endif %}
}

_dotenv: dict[str, str] = {}
_fallbacks: dict[str, str] = {}


def load_dotenv(path: Path = BASE_DIR / ".env") -> None:
    """Read KEY=VALUE lines from a local .env file (local and test settings only)."""
    if not path.exists():
        return
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition("=")
        if not sep:
            raise ImproperlyConfigured(f"{path}:{number}: expected KEY=VALUE, got {stripped!r}.")
        _dotenv[key.strip()] = value.strip().strip("'\"")


def use_defaults(values: Mapping[str, str]) -> None:
    """Development defaults for variables the environment did not set."""
    unknown = set(values) - set(VARIABLES)
    if unknown:
        raise ImproperlyConfigured(f"Defaults given for undeclared variables: {sorted(unknown)}.")
    _fallbacks.update(values)


def _raw(name: str) -> str:
    spec = VARIABLES[name]
    for source in (os.environ, _dotenv, _fallbacks):
        if name in source:
            return source[name]
    if spec.default is not None:
        return spec.default
    raise ImproperlyConfigured(
        f"{name} is not set. Expected {spec.expected}. {spec.description} "
        "Set it in the environment (see .env.example)."
    )


def invalid(name: str, value: str, reason: str = "") -> ImproperlyConfigured:
    spec = VARIABLES[name]
    shown = "<hidden>" if spec.secret else repr(value)
    detail = f" ({reason})" if reason else ""
    return ImproperlyConfigured(f"{name}={shown} is invalid{detail}. Expected {spec.expected}.")


def read_str(name: str, *, min_length: int = 0) -> str:
    value = _raw(name)
    if len(value) < min_length:
        raise invalid(name, value, f"shorter than {min_length} characters")
    return value


def read_int(name: str, *, minimum: int | None = None) -> int:
    value = _raw(name)
    try:
        number = int(value)
    except ValueError:
        raise invalid(name, value, "not a whole number") from None
    if minimum is not None and number < minimum:
        raise invalid(name, value, f"below {minimum}")
    return number


def read_float(name: str, *, minimum: float) -> float:
    value = _raw(name)
    try:
        number = float(value)
    except ValueError:
        raise invalid(name, value, "not a number") from None
    if not number >= minimum:  # also refuses nan
        raise invalid(name, value, f"below {minimum}")
    return number


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def read_bool(name: str) -> bool:
    value = _raw(name)
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise invalid(name, value)


def read_list(name: str, *, required: bool = False) -> list[str]:
    value = _raw(name)
    items = [item.strip() for item in value.split(",") if item.strip()]
    if required and not items:
        raise invalid(name, value, "empty")
    return items


def read_choice(name: str, choices: tuple[str, ...]) -> str:
    value = _raw(name)
    if value not in choices:
        raise invalid(name, value)
    return value


def read_url(name: str, *, schemes: tuple[str, ...]) -> str:
    value = _raw(name)
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.hostname:
        raise invalid(name, value, f"scheme must be one of {', '.join(schemes)} with a host")
    return value
