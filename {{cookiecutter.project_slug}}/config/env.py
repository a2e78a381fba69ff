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
        "whole seconds, at least 1",
        "Give up connecting after this long instead of hanging on a dead host.",
        "5",
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
