"""config.env and the production start-up: every bad variable named at once, unsafe values refused."""

import importlib
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env
from config.env import BASE_DIR
from config.settings.development import DEVELOPMENT_DEFAULTS, TEST_SECRET_KEY

from tests.support.environments import production_environment


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No .env values, no development defaults, no problems yet: what production sees."""
    monkeypatch.setattr(env, "_dotenv", {})
    monkeypatch.setattr(env, "_fallbacks", {})
    monkeypatch.setattr(env, "_problems", [])
    return monkeypatch


def refused() -> str:
    """The message check() stops start-up with."""
    with pytest.raises(ImproperlyConfigured) as caught:
        env.check()
    return str(caught.value)


def test_missing_required_variable_is_named_with_its_form(bare_env: pytest.MonkeyPatch) -> None:
    bare_env.delenv("REDIS_URL", raising=False)
    assert env.read_url("REDIS_URL", schemes=("redis",)).startswith("redis://")  # a stand-in
    assert "- REDIS_URL is not set. Expected redis://" in refused()


def test_malformed_number_is_named(bare_env: pytest.MonkeyPatch) -> None:
    bare_env.setenv("DATABASE_CONNECT_TIMEOUT", "soon")
    env.read_int("DATABASE_CONNECT_TIMEOUT", minimum=1)
    assert "DATABASE_CONNECT_TIMEOUT='soon' is invalid (not a whole number). Expected whole" in (
        refused()
    )


def test_number_below_minimum_is_refused(bare_env: pytest.MonkeyPatch) -> None:
    bare_env.setenv("DATABASE_CONNECT_TIMEOUT", "0")
    env.read_int("DATABASE_CONNECT_TIMEOUT", minimum=1)
    assert "below 1" in refused()


@pytest.mark.parametrize("value", ["maybe", "yes", "1", "on", "True", ""])
def test_booleans_are_exactly_true_or_false(bare_env: pytest.MonkeyPatch, value: str) -> None:
    bare_env.setenv("DJANGO_DEBUG", value)
    env.read_bool("DJANGO_DEBUG")
    assert f"DJANGO_DEBUG={value!r} is invalid (write true or false)" in refused()


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False)])
def test_true_and_false_are_read(bare_env: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    bare_env.setenv("DJANGO_DEBUG", value)
    assert env.read_bool("DJANGO_DEBUG") is expected
    env.check()


def test_secret_values_are_not_echoed(bare_env: pytest.MonkeyPatch) -> None:
    bare_env.setenv("DATABASE_URL", "mysql://app:hunter2@db.internal/app")
    env.read_url("DATABASE_URL", schemes=("postgres",))
    message = refused()
    assert "DATABASE_URL=<hidden>" in message
    assert "hunter2" not in message


def test_a_secret_can_come_from_a_mounted_file(
    bare_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret_file = tmp_path / "redis_url"
    secret_file.write_text("redis://secret-host:6379/0\n")
    bare_env.delenv("REDIS_URL", raising=False)
    bare_env.setenv("REDIS_URL_FILE", str(secret_file))
    assert env.read_url("REDIS_URL", schemes=("redis",)) == "redis://secret-host:6379/0"
    env.check()


def test_a_secret_from_both_places_or_a_missing_file_is_refused(
    bare_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bare_env.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    bare_env.setenv("REDIS_URL_FILE", str(tmp_path / "missing"))
    env.read_url("REDIS_URL", schemes=("redis",))
    bare_env.delenv("REDIS_URL")
    env.read_url("REDIS_URL", schemes=("redis",))
    message = refused()
    assert "REDIS_URL and REDIS_URL_FILE are both set" in message
    assert "cannot be read" in message


def test_declared_defaults_apply(bare_env: pytest.MonkeyPatch) -> None:
    bare_env.delenv("DJANGO_LOG_LEVEL", raising=False)
    assert env.read_choice("DJANGO_LOG_LEVEL", ("INFO", "DEBUG")) == "INFO"


def test_env_example_lists_exactly_the_declared_variables() -> None:
    lines = (BASE_DIR / ".env.example").read_text().splitlines()
    listed = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
    assert listed == set(env.VARIABLES)
    assert set(DEVELOPMENT_DEFAULTS) <= set(env.VARIABLES), "defaults only for declared names"


def import_production_settings(monkeypatch: pytest.MonkeyPatch, **overrides: str) -> None:
    """Import config.settings.production afresh with exactly these variables.

    In-process (a subprocess per case costs a second of Django imports): the
    settings modules are evicted from sys.modules for the import and put back
    afterwards by monkeypatch, so the running test settings are untouched.
    """
    monkeypatch.setattr(env, "_dotenv", {})
    monkeypatch.setattr(env, "_fallbacks", {})
    monkeypatch.setattr(env, "_problems", [])
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
        ("DJANGO_SECRET_KEY", TEST_SECRET_KEY, "(a key written in this repository)"),
        (
            "DJANGO_SECRET_KEY",
            "django-insecure-" + "Kq3vR9xTzL0mWb7NcY2hGf5jDs8aPe1uQi4oXr6tVk" * 2,
            "(Django's development prefix",
        ),
        ("DJANGO_SECRET_KEY", "x" * 60, "(too little randomness)"),
        ("DJANGO_SECRET_KEY", "0123456789" * 6, "(too little randomness)"),
        ("DJANGO_DEBUG", "true", "DJANGO_DEBUG='true' is invalid (debug pages"),
        ("DJANGO_DEBUG", "yes", "DJANGO_DEBUG='yes' is invalid (write true or false)"),
        ("DJANGO_ALLOWED_HOSTS", "", "DJANGO_ALLOWED_HOSTS is not set"),
        ("DJANGO_ALLOWED_HOSTS", "*", "DJANGO_ALLOWED_HOSTS='*' is invalid ('*' answers any"),
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
        ("CACHE_CIRCUIT_SECONDS", "0", "CACHE_CIRCUIT_SECONDS='0' is invalid (below 0.1)"),
        ("CACHE_CIRCUIT_SECONDS", "inf", "CACHE_CIRCUIT_SECONDS='inf' is invalid (above 300)"),
        ("HTTP_CIRCUIT_FAILURES", "0", "HTTP_CIRCUIT_FAILURES='0' is invalid (below 1)"),
        ("HTTP_CIRCUIT_SECONDS", "a while", "HTTP_CIRCUIT_SECONDS='a while' is invalid (not a"),
    ],
)
def test_production_refuses_to_start_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        import_production_settings(monkeypatch, **{variable: value})
    assert message in str(refused.value)


def test_every_bad_variable_is_reported_in_one_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        import_production_settings(
            monkeypatch,
            DJANGO_SECRET_KEY="",
            DJANGO_ALLOWED_HOSTS="*",
            DJANGO_DEBUG="true",
            REDIS_URL="",
            DATABASE_CONNECT_TIMEOUT="soon",
        )
    message = str(refused.value)
    assert message.startswith("5 environment variable(s) to fix:")
    for name in (
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_DEBUG",
        "REDIS_URL",
        "DATABASE_CONNECT_TIMEOUT",
    ):
        assert f"- {name}" in message
