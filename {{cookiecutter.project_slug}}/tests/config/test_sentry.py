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


@pytest.mark.processes
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


@pytest.mark.processes
@pytest.mark.django_db
def test_every_event_carries_the_environment_and_the_release() -> None:
    code = (
        "import django, json, os, sentry_sdk\n"
        "django.setup()\n"  # the settings read the environment
        # What reaches Sentry must come through the settings (a mounted file, .env),
        # not from the SDK reading the same variables by itself.
        "del os.environ['SENTRY_ENVIRONMENT'], os.environ['SENTRY_RELEASE']\n"
        "import config.wsgi\n"
        "def show(event, hint):\n"
        "    print(json.dumps([event.get('environment'), event.get('release')]))\n"
        "    return None\n"  # dropped: nothing is sent
        "sentry_sdk.get_client().options['before_send'] = show\n"
        "sentry_sdk.capture_message('deployed')\n"
    )
    dsn = f"http://public@127.0.0.1:{closed_port()}/1"
    child = python_child(
        code,
        env=child_environment(
            SENTRY_DSN=dsn, SENTRY_ENVIRONMENT="staging", SENTRY_RELEASE="2026.12.02-abc123"
        ),
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == '["staging", "2026.12.02-abc123"]'
