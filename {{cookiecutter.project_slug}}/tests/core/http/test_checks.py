"""core/http/checks.py: an HTTP client without a timeout is refused."""

import pytest
from pytest_django import Settings

from {{ cookiecutter.project_slug }}.core.http import checks as http

from tests.support.checks import ids


@pytest.mark.parametrize("timeout", [None, 0, (3.05, 0), (0, 10)])
def test_an_http_client_without_timeout_is_refused(settings: Settings, timeout: object) -> None:
    settings.HTTP_TIMEOUT = timeout
    assert ids(http.check_http_timeout(None)) == ["core.E011"]
