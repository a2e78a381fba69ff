"""`manage.py db_apply_timeouts`: store the session timeouts on the database ({{ cookiecutter.project_slug }}/core/database/timeouts.py)."""

from {{ cookiecutter.project_slug }}.core.database.timeouts import Command

__all__ = ["Command"]
