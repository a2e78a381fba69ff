"""The one typed reader of environment variables.

Why: configuration errors should stop the service at start-up with a message
that names the variable and the form it expects, not surface later as a
KeyError, a silent default or a 500 on the first request.

Each settings module declares the variables it reads, once, at its top
(``declare``: expected form, meaning, default), so a variable's declaration,
its reading and its use stand together. ``.env.example`` lists exactly the
declared names; a test keeps them in sync.
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


# Every declared variable, filled by the settings modules as they are imported.
VARIABLES: dict[str, Variable] = {}


def declare(variables: Mapping[str, Variable]) -> None:
    """Declare the variables a settings module reads, at its top, before it reads them.

    Importing a module again (a test reloading settings) declares the same
    variables again, which is fine; two different declarations of one name are not.
    """
    for name, variable in variables.items():
        if VARIABLES.setdefault(name, variable) != variable:
            raise ImproperlyConfigured(f"{name} is declared twice, differently.")


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
    """Development defaults for variables the environment did not set.

    Called before the settings modules declare their variables; the test suite
    checks that each name given here is declared.
    """
    _fallbacks.update(values)


def _raw(name: str) -> str:
    spec = VARIABLES.get(name)
    if spec is None:
        raise ImproperlyConfigured(f"{name} is read but not declared: add it to env.declare().")
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
