"""A throwaway production environment: production settings against the local services.

One place for the values that `make check` (the deploy checklist), the tests
that start production in a fresh process and the benchmarks need. The secret
is new at every call, so no key that stands in a file is ever accepted as a
production key. Run as a script, it runs a command in that environment:

    python -m tests.support.environments manage.py check --deploy

There, variables already set in the environment win (a CI job may point at
its own services), except DJANGO_SETTINGS_MODULE, which is always production.
"""

from __future__ import annotations

import os
import secrets
import sys

from config.settings.development import DEVELOPMENT_DEFAULTS

PRODUCTION_SETTINGS = "config.settings.production"


def production_environment(**overrides: str) -> dict[str, str]:
    """Every variable production requires, valid, on 127.0.0.1, plus ``overrides``."""
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": DEVELOPMENT_DEFAULTS["DATABASE_URL"],
        "REDIS_URL": DEVELOPMENT_DEFAULTS["REDIS_URL"],
        "CELERY_BROKER_URL": DEVELOPMENT_DEFAULTS["CELERY_BROKER_URL"],
        # As the image sets it: SIGTERM requeues a worker's long tasks (core.E018).
        "REMAP_SIGTERM": "SIGQUIT",
        **overrides,
        "DJANGO_SETTINGS_MODULE": overrides.get("DJANGO_SETTINGS_MODULE", PRODUCTION_SETTINGS),
    }


def main(command: list[str]) -> None:
    if not command:
        sys.exit("usage: python -m tests.support.environments COMMAND [ARGS...]")
    environment = {**production_environment(), **os.environ}
    environment["DJANGO_SETTINGS_MODULE"] = PRODUCTION_SETTINGS
    if command[0].endswith(".py"):
        command = [sys.executable, *command]
    os.execvpe(command[0], command, environment)  # noqa: S606 - a developer's own command


if __name__ == "__main__":
    main(sys.argv[1:])
