from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.core"
    label = "core"

    def ready(self) -> None:
        # Each import registers what it defines: the system checks that refuse
        # unsafe settings; the database recorder and the query budget (each
        # connection's execute wrappers); the Celery task signals.
        from {{ cookiecutter.project_slug }}.core import (  # noqa: F401
            checks,
            measurement,
            query_budget,
            task_telemetry,
        )
