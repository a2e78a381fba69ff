"""config/sentry.py: started by a serving process only, and never tracing probes or metrics."""

from typing import Any

import pytest
from django.conf import settings
from pytest_django import Settings

from config.sentry import traces_sampler

from tests.support.loopback import closed_port
from tests.support.processes import child_environment, python_child


def request_to(path: str, **extra: Any) -> dict[str, Any]:
    return {"wsgi_environ": {"PATH_INFO": path}, **extra}


@pytest.mark.parametrize("path", ["/health/ready", "/metrics", f"{settings.STATIC_URL}app.css"])
def test_probes_metrics_and_static_files_are_never_traced(settings: Settings, path: str) -> None:
    settings.SENTRY_TRACES_SAMPLE_RATE = 1.0
    assert traces_sampler(request_to(path)) == 0.0
    assert traces_sampler({"asgi_scope": {"path": path}}) == 0.0


def test_other_requests_follow_the_rate_or_their_caller(settings: Settings) -> None:
    settings.SENTRY_TRACES_SAMPLE_RATE = 0.25
    assert traces_sampler(request_to("/api/v1/products")) == 0.25
    assert traces_sampler(request_to("/api/v1/products", parent_sampled=True)) == 1.0
    assert traces_sampler({"parent_sampled": False}) == 0.0  # a task of an untraced request


@pytest.mark.django_db
def test_the_sdk_starts_with_the_server_process_not_the_settings() -> None:
    code = (
        "import sentry_sdk\n"
        "print(sentry_sdk.get_client().is_active())\n"  # settings loaded, apps ready
        "import config.wsgi\n"  # what each gunicorn worker imports
        "print(sentry_sdk.get_client().is_active())\n"
    )
    dsn = f"http://public@127.0.0.1:{closed_port()}/1"  # loopback, refused: nothing leaves
    child = python_child(code, env=child_environment(SENTRY_DSN=dsn))
    assert child.returncode == 0, child.stderr
    assert child.stdout.split() == ["False", "True"]
