"""config.env: missing or malformed variables stop start-up naming the variable."""

import importlib
import os
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env
from config.env import BASE_DIR

from tests.support.environments import production_environment
from tests.support.processes import python_child


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No .env values and no development defaults: what production sees."""
    monkeypatch.setattr(env, "_dotenv", {})
    monkeypatch.setattr(env, "_fallbacks", {})
    return monkeypatch


def test_missing_required_variable_is_named_with_its_form(bare_env: pytest.MonkeyPatch) -> None:
    bare_env.delenv("REDIS_URL", raising=False)
    with pytest.raises(ImproperlyConfigured, match=r"^REDIS_URL is not set\. Expected redis://"):
        env.read_url("REDIS_URL", schemes=("redis",))


def test_malformed_number_is_named(bare_env: pytest.MonkeyPatch) -> None:
    bare_env.setenv("DATABASE_CONNECT_TIMEOUT", "soon")
    with pytest.raises(
        ImproperlyConfigured,
        match=r"^DATABASE_CONNECT_TIMEOUT='soon' is invalid \(not a whole number\)\. Expected whole",
    ):
        env.read_int("DATABASE_CONNECT_TIMEOUT", minimum=1)


def test_number_below_minimum_is_refused(bare_env: pytest.MonkeyPatch) -> None:
    bare_env.setenv("DATABASE_CONNECT_TIMEOUT", "0")
    with pytest.raises(ImproperlyConfigured, match=r"below 1"):
        env.read_int("DATABASE_CONNECT_TIMEOUT", minimum=1)


def test_bad_boolean_is_refused(bare_env: pytest.MonkeyPatch) -> None:
    bare_env.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"^DJANGO_DEBUG='maybe' is invalid"):
        env.read_bool("DJANGO_DEBUG")


def test_secret_values_are_not_echoed(bare_env: pytest.MonkeyPatch) -> None:
    bare_env.setenv("DATABASE_URL", "mysql://app:hunter2@db.internal/app")
    with pytest.raises(ImproperlyConfigured) as caught:
        env.read_url("DATABASE_URL", schemes=("postgres",))
    assert "DATABASE_URL=<hidden>" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_declared_defaults_apply(bare_env: pytest.MonkeyPatch) -> None:
    bare_env.delenv("DJANGO_LOG_LEVEL", raising=False)
    assert env.read_choice("DJANGO_LOG_LEVEL", ("INFO", "DEBUG")) == "INFO"


def test_env_example_lists_exactly_the_declared_variables() -> None:
    lines = (BASE_DIR / ".env.example").read_text().splitlines()
    listed = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
    assert listed == set(env.VARIABLES)


def test_production_starts_in_a_fresh_process() -> None:
    """The real start-up path: a new interpreter, production settings, django.setup()."""
    environment = {"PATH": os.environ["PATH"], **production_environment()}
    result = python_child("print('started')", env=environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def import_production_settings(monkeypatch: pytest.MonkeyPatch, **overrides: str) -> None:
    """Import config.settings.production afresh with exactly these variables.

    In-process (a subprocess per case costs a second of Django imports): the
    settings modules are evicted from sys.modules for the import and put back
    afterwards by monkeypatch, so the running test settings are untouched.
    """
    monkeypatch.setattr(env, "_dotenv", {})
    monkeypatch.setattr(env, "_fallbacks", {})
    for name in env.VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in production_environment(**overrides).items():
        if value:
            monkeypatch.setenv(name, value)
    package = importlib.import_module("config.settings")
    for name in [module for module in sys.modules if module.startswith("config.settings.")]:
        monkeypatch.delitem(sys.modules, name)
        monkeypatch.delattr(package, name.rsplit(".", 1)[1], raising=False)
    importlib.import_module("config.settings.production")


def test_production_settings_import_with_a_complete_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import_production_settings(monkeypatch)
    production = sys.modules["config.settings.production"]
    assert production.DEBUG is False
    assert production.ALLOWED_HOSTS == ["127.0.0.1", "localhost"]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_SECRET_KEY", "", "DJANGO_SECRET_KEY is not set"),
        ("DJANGO_SECRET_KEY", "short", "DJANGO_SECRET_KEY=<hidden> is invalid (shorter than 50"),
        ("DJANGO_ALLOWED_HOSTS", "", "DJANGO_ALLOWED_HOSTS is not set"),
        (
            "DATABASE_URL",
            "postgres://app@db:port/app",
            "DATABASE_URL=<hidden> is invalid (the port",
        ),
        (
            "DATABASE_URL",
            "postgres://app@db:5432/",
            "DATABASE_URL=<hidden> is invalid (no database",
        ),
        ("REDIS_URL", "", "REDIS_URL is not set"),
        ("CELERY_BROKER_URL", "", "CELERY_BROKER_URL is not set"),
    ],
)
def test_production_refuses_to_start_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        import_production_settings(monkeypatch, **{variable: value})
    assert message in str(refused.value)
