"""Logging: one line per event on stderr, where the process supervisor collects it."""

from typing import Any

from config import env
from config.env import Variable

env.declare(
    {
        "DJANGO_LOG_LEVEL": Variable(
            "one of DEBUG, INFO, WARNING, ERROR", "Level of the project's own loggers.", "INFO"
        ),
    }
)

LOG_LEVEL = env.read_choice("DJANGO_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"))

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "{{ cookiecutter.project_slug }}": {"level": LOG_LEVEL},
        "django_redis": {"level": "WARNING"},
    },
}
