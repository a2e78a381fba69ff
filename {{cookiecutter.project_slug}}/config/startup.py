"""What every server and worker process does when it starts, before its first request or task.

- The system checks (core/checks/): ``runserver`` runs them, gunicorn and
  Celery do not, so a setting that would cause an outage (early acks, no
  timeouts, a per-process cache ...) stopped only ``manage.py check`` in CI.
  Here an Error stops the process at start, its message naming the setting.
{%- if cookiecutter.use_sentry %}
- Sentry (config/sentry.py), in this process only, never at settings import.
{%- endif %}

Called by config/wsgi.py and config/asgi.py (each gunicorn worker) and by the
Celery worker (config/celery.py).
"""

from django.core import checks
from django.core.management.base import BaseCommand
{%- if cookiecutter.use_sentry %}

from config.sentry import init_sentry
{%- endif %}

# How this process serves: "wsgi", "asgi" or "celery" once started (read by
# the checks that depend on it), "" in commands and tests.
INTERFACE = ""


def start(interface: str) -> None:
    global INTERFACE  # noqa: PLW0603 (one value per process, set once at start)
    INTERFACE = interface
    # Errors raise SystemCheckError, listing each with its hint; warnings are printed.
    BaseCommand().check(include_deployment_checks=True, fail_level=checks.ERROR)
{%- if cookiecutter.use_sentry %}
    init_sentry()
{%- endif %}
