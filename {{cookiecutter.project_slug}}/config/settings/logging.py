"""Logging: one line per event on stderr, JSON in production, each with its request id.

A line logged inside a sampled trace also carries ``trace_id`` and ``span_id``
(core/telemetry/traces.py), so it leads to its trace.

Why JSON: the log collector then indexes every field (route, status,
duration_ms, queries ...) without a parsing rule, and ``manage.py
route_report`` reads the same lines. Development prints the same events as
readable text. Each event is printed once: the request line of
core/telemetry/middleware.py replaces the development server's own access line and
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
            "()": "{{ cookiecutter.project_slug }}.core.telemetry.request_id.RequestIdFilter",
        },
        "trace_context": {
            "()": "{{ cookiecutter.project_slug }}.core.telemetry.traces.TraceContextFilter",
        },
        # The cache's circuit breaker reports an outage in one line: not a traceback a call.
        "reported_by_the_cache_breaker": {
            "()": "{{ cookiecutter.project_slug }}.core.cache.breaker.ReportedByTheBreaker",
        },
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        # time, level, logger, message, then each field the line was given.
        "json": {
            "()": "{{ cookiecutter.project_slug }}.core.telemetry.log_format.JsonFormatter",
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "trace_context"],
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "{{ cookiecutter.project_slug }}": {"level": LOG_LEVEL},
        # Celery's own lines about tasks; the project's task line (core/telemetry/tasks.py)
        # has the request id, duration and outcome.
        "celery": {"level": "INFO"},
        "celery.app.trace": {"level": "WARNING"},
        # Each request has its line from core/telemetry/middleware.py: these would repeat it
        # (runserver's access lines; "Not Found: /x"). Errors keep their traceback.
        "django.server": {"level": "CRITICAL"},
        "django.request": {"level": "ERROR"},
        "django_redis": {"level": "WARNING"},
        "django_redis.cache": {"level": "WARNING", "filters": ["reported_by_the_cache_breaker"]},
        # Each failed login has its line from core/access/logins.py: axes' own would repeat it.
        "axes": {"level": "ERROR"},
    },
}
