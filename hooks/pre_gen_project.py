"""Validate every answer before cookiecutter writes a file.

Why here: a bad answer must stop generation with a message that says what was
wrong and what is accepted, and must leave nothing half-written on disk.
Cookiecutter removes the output directory when this hook exits non-zero.

The logic is plain functions over a dict so the template's tests can import
this file and call ``validate`` directly; only the last lines touch Jinja.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from typing import Any

SUPPORTED_PYTHON = ("3.11", "3.12", "3.13")
CHOICES = {
    "python_version": SUPPORTED_PYTHON,
    "database_pooling": ("pgbouncer", "django_pool", "persistent"),
    "celery_broker": ("redis", "rabbitmq"),
    "ci": ("github", "gitlab", "none"),
}
BOOLEANS = ("include_example_app", "include_benchmarks", "use_sentry", "git_init")

# Top-level names the generated project imports or creates itself. A slug equal
# to one of them would shadow it on sys.path and break imports in odd ways.
RESERVED_SLUGS = frozenset(
    {
        # the generated project's own top-level packages
        "config",
        "tests",
        "benchmarks",
        "deploy",
        "scripts",
        # dependencies and the tools the project runs
        "django",
        "django_redis",
        "redis",
        "celery",
        "kombu",
        "billiard",
        "vine",
        "amqp",
        "psycopg",
        "psycopg_pool",
        "psycopg2",
        "debug_toolbar",
        "django_perf_rec",
        "vcr",
        "requests",
        "urllib3",
        "pytest",
        "pytest_django",
        "pytest_socket",
        "zeal",
        "gunicorn",
        "uvicorn",
        "asgiref",
        "sentry_sdk",
        "ninja",
        "pydantic",
        "schemathesis",
        "hypothesis",
        "mypy",
        "ruff",
        "yaml",
        "test",
    }
)
# Also a valid distribution name: it may not end with an underscore.
SLUG_PATTERN = re.compile(r"^[a-z](?:[a-z0-9_]*[a-z0-9])?$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_SLUG_LENGTH = 40


def validate(answers: dict[str, Any]) -> list[str]:
    """Return one message per bad answer; an empty list means all are valid."""
    errors: list[str] = []
    errors += _check_project_name(answers.get("project_name"))
    errors += _check_slug(answers.get("project_slug"))
    errors += _check_email(answers.get("author_email"))
    for name, accepted in CHOICES.items():
        value = answers.get(name)
        if value not in accepted:
            errors.append(
                f"{name}={value!r} is not supported. Choose one of: {', '.join(accepted)}."
            )
    for name in BOOLEANS:
        value = answers.get(name)
        if not isinstance(value, bool):
            errors.append(f"{name}={value!r} must be a yes/no answer (true or false).")
    return errors


def _check_project_name(value: object) -> list[str]:
    if not isinstance(value, str) or not value.strip():
        return [
            "project_name is empty. Give the service a human-readable name, e.g. 'Orders Service'."
        ]
    return []


def _check_slug(value: object) -> list[str]:
    if not isinstance(value, str) or not SLUG_PATTERN.match(value):
        return [
            f"project_slug={value!r} is not a lowercase Python identifier. "
            "Use lowercase letters, digits and underscores, starting with a letter and not ending "
            "with an underscore, e.g. 'orders_service'."
        ]
    if len(value) > MAX_SLUG_LENGTH:
        return [
            f"project_slug={value!r} is longer than {MAX_SLUG_LENGTH} characters; it also names the database."
        ]
    if keyword.iskeyword(value):
        return [
            f"project_slug={value!r} is a Python keyword. Pick another name, e.g. '{value}_service'."
        ]
    if value in sys.stdlib_module_names or value in RESERVED_SLUGS:
        return [
            f"project_slug={value!r} would shadow the module '{value}' (standard library, a dependency "
            f"or a package of the generated project). Pick another name, e.g. '{value}_service'."
        ]
    return []


def _check_email(value: object) -> list[str]:
    if not isinstance(value, str) or not EMAIL_PATTERN.match(value):
        return [f"author_email={value!r} is not an email address. Use the form name@example.com."]
    return []


def main(answers: dict[str, Any]) -> int:
    errors = validate(answers)
    if not errors:
        return 0
    print("ERROR: the template answers are invalid; no project was generated.", file=sys.stderr)
    for message in errors:
        print(f"  - {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    # Rendered by cookiecutter; ``tojson`` escapes quotes so the raw string is safe.
    sys.exit(main(json.loads(r"""{{ cookiecutter | tojson }}""")))
