"""`manage.py release`: the deploy's release step ({{ cookiecutter.project_slug }}/core/database/release.py)."""

from {{ cookiecutter.project_slug }}.core.database.release import Command

__all__ = ["Command"]
