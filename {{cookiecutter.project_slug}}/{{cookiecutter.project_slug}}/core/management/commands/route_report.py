"""`manage.py route_report`: rank the routes of a request log ({{ cookiecutter.project_slug }}/core/telemetry/route_report.py)."""

from {{ cookiecutter.project_slug }}.core.telemetry.route_report import Command

__all__ = ["Command"]
