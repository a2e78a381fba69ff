"""Responses report their timing and query count where configured; over-budget requests are logged."""

import logging
import re

import pytest
from django.contrib.auth.models import Group
from django.http import HttpRequest, JsonResponse
from django.test import Client
from django.urls import path
from pytest_django import Settings


def three_queries(request: HttpRequest) -> JsonResponse:
    names = [Group.objects.filter(pk=pk).exists() for pk in range(3)]
    return JsonResponse({"found": names})


urlpatterns = [path("three/", three_queries)]


@pytest.fixture
def three_queries_url(settings: Settings) -> str:
    settings.ROOT_URLCONF = __name__
    return "/three/"


@pytest.mark.django_db
def test_server_timing_reports_queries(client: Client, three_queries_url: str) -> None:
    response = client.get(three_queries_url)
    timing = response["Server-Timing"]
    assert re.fullmatch(r'total;dur=[\d.]+, db;dur=[\d.]+;desc="3 queries"', timing), timing


@pytest.mark.django_db
def test_server_timing_is_off_unless_configured(
    client: Client, three_queries_url: str, settings: Settings
) -> None:
    settings.SERVER_TIMING = False  # production's default
    assert "Server-Timing" not in client.get(three_queries_url)


@pytest.mark.django_db
def test_over_budget_request_is_logged(
    client: Client,
    three_queries_url: str,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.QUERY_BUDGET = 2
    with caplog.at_level(logging.WARNING):
        client.get(three_queries_url)
    assert "GET /three/ ran 3 queries (budget 2)" in caplog.text


@pytest.mark.django_db
def test_within_budget_request_is_quiet(
    client: Client, three_queries_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        client.get(three_queries_url)
    assert caplog.text == ""
