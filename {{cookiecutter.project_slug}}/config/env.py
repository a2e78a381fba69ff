"""The one typed reader of environment variables.

Why: configuration errors should stop the service at start-up with a message
that names the variable and the form it expects, not surface later as a
KeyError, a silent default or a 500 on the first request.

Each settings module declares the variables it reads, once, at its top
(``declare``: expected form, meaning, default), so a variable's declaration,
its reading and its use stand together. ``.env.example`` lists exactly the
declared names; a test keeps them in sync.
Precedence: the process environment (or, for a secret, the file its
``NAME_FILE`` names), then ``.env`` (local and test settings only), then the
development defaults an environment module passes to ``use_defaults``, then
the declared default. Production passes no development defaults, so a
required variable that is missing there stops start-up.

A reader never raises: it records what is wrong and returns a stand-in of the
right type, so that every bad variable is found, and ``check()``, called last
by each environment module, stops start-up naming all of them at once.
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
# What is wrong so far; check() reports all of it at once.
_problems: list[str] = []


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


def _raw(name: str) -> str | None:
    """The variable's text, or None after recording why there is none.

    A secret may come from a file instead (``NAME_FILE=/run/secrets/name``, as
    orchestrators mount them): its content, without the trailing newline.
    """
    spec = VARIABLES.get(name)
    if spec is None:
        raise ImproperlyConfigured(f"{name} is read but not declared: add it to env.declare().")
    file_variable = f"{name}_FILE"
    if spec.secret and file_variable in os.environ:
        if name in os.environ:
            _problems.append(f"{name} and {file_variable} are both set; set one of them.")
            return None
        try:
            return Path(os.environ[file_variable]).read_text().removesuffix("\n")
        except OSError as error:
            _problems.append(
                f"{file_variable}={os.environ[file_variable]!r} cannot be read: {error.strerror}."
            )
            return None
    for source in (os.environ, _dotenv, _fallbacks):
        if name in source:
            return source[name]
    if spec.default is not None:
        return spec.default
    _problems.append(
        f"{name} is not set. Expected {spec.expected}. {spec.description} "
        "Set it in the environment (see .env.example)."
    )
    return None


def refuse(name: str, value: str, reason: str = "") -> None:
    """Record that ``value`` of ``name`` is unusable; ``check()`` reports every such problem."""
    spec = VARIABLES[name]
    shown = "<hidden>" if spec.secret else repr(value)
    detail = f" ({reason})" if reason else ""
    _problems.append(f"{name}={shown} is invalid{detail}. Expected {spec.expected}.")


def check() -> None:
    """Stop start-up with every problem recorded so far, each naming its variable.

    Each environment module (local, test, production) calls it last, so a user
    fixes every variable in one go instead of one start at a time.
    """
    if _problems:
        problems = list(dict.fromkeys(_problems))  # in order, each once
        _problems.clear()
        raise ImproperlyConfigured(
            f"{len(problems)} environment variable(s) to fix:\n"
            + "\n".join(f"- {problem}" for problem in problems)
        )


def read_str(name: str, *, min_length: int = 0) -> str:
    value = _raw(name)
    if value is None:
        return ""
    if len(value) < min_length:
        refuse(name, value, f"shorter than {min_length} characters")
    return value


def read_int(name: str, *, minimum: int | None = None) -> int:
    value = _raw(name)
    fallback = minimum or 0
    if value is None:
        return fallback
    try:
        number = int(value)
    except ValueError:
        refuse(name, value, "not a whole number")
        return fallback
    if minimum is not None and number < minimum:
        refuse(name, value, f"below {minimum}")
        return fallback
    return number


def read_float(name: str, *, minimum: float, maximum: float | None = None) -> float:
    value = _raw(name)
    if value is None:
        return minimum
    try:
        number = float(value)
    except ValueError:
        refuse(name, value, "not a number")
        return minimum
    if not number >= minimum:  # also refuses nan
        refuse(name, value, f"below {minimum}")
        return minimum
    if maximum is not None and number > maximum:  # also refuses inf
        refuse(name, value, f"above {maximum}")
        return minimum
    return number


def read_bool(name: str) -> bool:
    """Exactly ``true`` or ``false``: "yes", "1" or "on" are refused, not guessed at."""
    value = _raw(name)
    if value not in {None, "true", "false"}:
        refuse(name, str(value), "write true or false")
    return value == "true"


def read_list(name: str, *, required: bool = False) -> list[str]:
    value = _raw(name)
    if value is None:
        return []
    items = [item.strip() for item in value.split(",") if item.strip()]
    if required and not items:
        refuse(name, value, "empty")
    return items


def read_choice(name: str, choices: tuple[str, ...]) -> str:
    value = _raw(name)
    if value is None:
        return choices[0]
    if value not in choices:
        refuse(name, value)
        return choices[0]
    return value


def read_url(name: str, *, schemes: tuple[str, ...]) -> str:
    """A URL with one of ``schemes`` and a host; a stand-in of that form when it is unusable."""
    value = _raw(name)
    stand_in = f"{schemes[0]}://invalid.invalid/invalid"
    if value is None:
        return stand_in
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.hostname:
        refuse(name, value, f"scheme must be one of {', '.join(schemes)} with a host")
        return stand_in
    return value
