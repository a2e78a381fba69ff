from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.shop"
    label = "shop"

    def ready(self) -> None:
        # Connects the receivers (they only schedule tasks on commit).
        from {{ cookiecutter.project_slug }}.shop import signals  # noqa: F401
