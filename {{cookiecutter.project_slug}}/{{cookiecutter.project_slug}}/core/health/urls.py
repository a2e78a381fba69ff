from django.urls import path

from {{ cookiecutter.project_slug }}.core.health import views

app_name = "core"
urlpatterns = [
    path("health/", views.health, name="health"),
]
