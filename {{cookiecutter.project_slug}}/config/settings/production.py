"""Production: every required variable comes from the environment; nothing is relaxed."""
{% if cookiecutter.use_sentry %}
from config.sentry import init_sentry
{%- endif %}
from config.settings.base import *
{%- if cookiecutter.use_sentry %}

init_sentry(SENTRY_DSN)
{%- endif %}
