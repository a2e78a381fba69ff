"""Logging: one line per event on stderr, JSON in production, each with its request id.

Why JSON: the log collector then indexes every field (route, status,
duration_ms, queries ...) without a parsing rule, and ``manage.py
route_report`` reads the same lines. Development prints the same events as
readable text. Each event is printed once: the request line of
core/middleware.py replaces the development server's own access line and
Django's "Not Found" warnings (its status says it), and no logger has a
handler of its own besides the root's.
"""

from typing import Any

from config import env
from config.env import Variable

env.declare(
    {
        "DJANGO_LOG_LEVEL": Variable(
            "one of DEBUG, INFO, WARNING, ERROR", "Level of the project's own loggers.", "INFO"
        ),
        "DJANGO_LOG_FORMAT": Variable(
            "json or text",
            "One JSON object per line (for a log collector), or readable text.",
            "json",
        ),
    }
)

LOG_LEVEL = env.read_choice("DJANGO_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOG_FORMAT = env.read_choice("DJANGO_LOG_FORMAT", ("json", "text"))

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {
            "()": "{{ cookiecutter.project_slug }}.core.request_id.RequestIdFilter",
        },
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "{{ cookiecutter.project_slug }}": {"level": LOG_LEVEL},
        # Celery's own lines about tasks; the project's task line (core/task_telemetry.py)
        # has the request id, duration and outcome.
        "celery": {"level": "INFO"},
        "celery.app.trace": {"level": "WARNING"},
        # Each request has its line from core/middleware.py: these would repeat it
        # (runserver's access lines; "Not Found: /x"). Errors keep their traceback.
        "django.server": {"level": "CRITICAL"},
        "django.request": {"level": "ERROR"},
        "django_redis": {"level": "WARNING"},
    },
}
