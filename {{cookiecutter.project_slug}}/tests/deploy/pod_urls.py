"""The project's URLs and the slow view of pod_hooks.py (pod_settings.py's ROOT_URLCONF)."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

from tests.deploy.pod_hooks import slow

urlpatterns = [path("slow", slow), *project_urlpatterns]
