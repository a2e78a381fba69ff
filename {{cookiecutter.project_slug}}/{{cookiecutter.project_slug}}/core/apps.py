from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.core"
    label = "core"

    def ready(self) -> None:
        # Registers the system checks that refuse unsafe settings.
        from {{ cookiecutter.project_slug }}.core import checks  # noqa: F401
