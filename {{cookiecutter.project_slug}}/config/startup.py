"""What every server and worker process does when it starts, before its first request or task.

- The system checks (each core package's checks.py): ``runserver`` runs them, gunicorn and
  Celery do not, so a setting that would cause an outage (early acks, no
  timeouts, a per-process cache ...) stopped only ``manage.py check`` in CI.
  Here an Error stops the process at start, its message naming the setting.
  Django's deployment checklist (``check --deploy``) runs in production only:
  local settings choose DEBUG and plain HTTP on purpose, and a laptop start
  that warned of them every time would teach a newcomer to ignore warnings.
  ``make check`` runs the checklist on production settings before a deploy.
- Traces (core/telemetry/traces.py), when a collector is configured: in each
  gunicorn worker, which loads the app after its fork. A Celery worker's main
  process starts none: its pool processes do, after their fork (config/celery.py).
{%- if cookiecutter.use_sentry %}
- Sentry (config/sentry.py), in this process only, never at settings import.
{%- endif %}

Called by config/wsgi.py and config/asgi.py (each gunicorn worker) and by the
Celery worker (config/celery.py).
"""

from django.conf import settings
from django.core import checks
from django.core.management.base import BaseCommand

from {{ cookiecutter.project_slug }}.core import process
from {{ cookiecutter.project_slug }}.core.telemetry import traces
{%- if cookiecutter.use_sentry %}

from config.sentry import init_sentry
{%- endif %}


def start(interface: str) -> None:
    # Read by the checks that depend on how the process serves (core/process.py).
    process.interface_set(interface)
    # Errors raise SystemCheckError, listing each with its hint; warnings are printed.
    production = getattr(settings, "ENVIRONMENT", "production") == "production"
    BaseCommand().check(include_deployment_checks=production, fail_level=checks.ERROR)
    if interface != "celery":
        traces.start()
{%- if cookiecutter.use_sentry %}
    init_sentry()
{%- endif %}
