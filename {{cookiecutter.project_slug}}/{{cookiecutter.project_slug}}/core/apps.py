"""The core app: one package per practice (access, api, telemetry, health, database, worker, cache, http).

Each package holds its practice's code, its system checks and the logic of
its management commands (management/commands/ keeps thin shims where Django
finds them). docs/checks.md lists every check id.
"""

from importlib import import_module

from django.apps import AppConfig

# Modules that register what they define when imported: the system checks that
# refuse unsafe settings; the failed-login line and the staff session's start
# (Django's login signals); the database recorder and the query budget (execute
# wrappers on each connection); the Celery task signals.
REGISTERING_MODULES = (
    "access.checks",
    "access.logins",
    "access.sessions",
    "cache.checks",
    "database.checks",
    "http.checks",
    "telemetry.checks",
    "telemetry.measurement",
    "telemetry.query_budget",
    "telemetry.tasks",
    "worker.checks",
)


class CoreConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.core"
    label = "core"

    def ready(self) -> None:
        for module in REGISTERING_MODULES:
            import_module(f"{self.name}.{module}")
