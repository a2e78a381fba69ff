"""Fixtures shared by the whole suite. Tests use the real PostgreSQL and Redis."""
{%- if cookiecutter.database_pooling == 'pgbouncer' %}

pytest_plugins = ["tests.pgbouncer"]
{%- endif %}
