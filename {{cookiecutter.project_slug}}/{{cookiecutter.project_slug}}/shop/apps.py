from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.shop"
    label = "shop"
