"""core/messages.py: the admin's messages still work; a request that never uses them builds nothing."""

from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, JsonResponse
from django.test import Client
from django.urls import path
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core import messages as lazy_messages


def add(request: HttpRequest) -> JsonResponse:
    messages.success(request, "Saved.")
    return JsonResponse({})


def show(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"messages": [str(message) for message in messages.get_messages(request)]})


def silent(request: HttpRequest) -> JsonResponse:
    return JsonResponse({})


urlpatterns = [path("add/", add), path("show/", show), path("silent/", silent)]


@pytest.fixture(autouse=True)
def routes(settings: Settings) -> None:
    settings.ROOT_URLCONF = __name__


@pytest.mark.django_db
def test_a_message_added_is_shown_on_the_next_request(client: Client) -> None:
    client.get("/add/")
    assert client.get("/silent/").status_code == 200  # an untouched storage keeps it
    assert client.get("/show/").json() == {"messages": ["Saved."]}
    assert client.get("/show/").json() == {"messages": []}


@pytest.mark.django_db
def test_a_request_that_uses_no_message_builds_no_storage(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Any] = []

    def counted(request: HttpRequest) -> Any:
        built.append(request)
        return default_storage(request)

    monkeypatch.setattr(lazy_messages, "default_storage", counted)
    client.get("/silent/")
    assert built == []
    client.get("/show/")
    assert len(built) == 1
