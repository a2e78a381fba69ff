"""`manage.py createdb_if_missing`: create the database when it is missing ({{ cookiecutter.project_slug }}/core/database/creation.py)."""

from {{ cookiecutter.project_slug }}.core.database.creation import Command

__all__ = ["Command"]
