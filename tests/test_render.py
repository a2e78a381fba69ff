"""Every option combination renders into a complete, consistent project."""

from __future__ import annotations

import ast
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.template import (
    COMBINATIONS,
    LONGEST_SLUG,
    TEMPLATE,
    UNRENDERED,
    combination_id,
    generate,
    text_files,
)

# The first line of each database_pooling variant names its mode.
MODE_TITLES = {
    "pgbouncer": "PgBouncer in transaction mode",
    "django_pool": "Django's psycopg connection pool",
    "persistent": "persistent connections",
}


def expected_presence(answers: dict[str, Any], slug: str) -> dict[str, bool]:
    """Which option-dependent paths must exist, written out independently of the hook's table."""
    pgbouncer = answers["database_pooling"] == "pgbouncer"
    example = answers["include_example_app"]
    benchmarks = example and answers["include_benchmarks"]
    return {
        f"{slug}/shop/models.py": example,
        f"{slug}/shop/settings.py": example,
        "tests/shop": example,
        "tests/shop/cassettes/shipping_rates_ok.yaml": example,
        "tests/shop/test_api.perf.yml": example,
        "tests/shop/worker_settings.py": example,
        "benchmarks": benchmarks,
        "benchmarks/site/settings.py": benchmarks,
        "benchmarks/README.md": benchmarks,
        "deploy/pgbouncer.ini": pgbouncer,
        "deploy/pgbouncer.local.userlist.txt": pgbouncer,
        "deploy/pgbouncer.local.ini": pgbouncer,
        "tests/deploy/test_pgbouncer.py": pgbouncer,
        "scripts/pgbouncer.py": pgbouncer,
        "tests/support/pgbouncer.py": pgbouncer,
        "config/settings/database_pooling.py": True,
        "config/settings/celery_broker.py": True,
        "tests/config/settings/test_database_pooling.py": True,
        "tests/config/settings/test_celery_broker.py": True,
        "config/settings/sentry.py": answers["use_sentry"],
        "config/sentry.py": answers["use_sentry"],
        ".github/workflows/ci.yml": answers["ci"] == "github",
        ".gitlab-ci.yml": answers["ci"] == "gitlab",
    }


@pytest.mark.parametrize("answers", COMBINATIONS, ids=combination_id)
def test_combination_renders(tmp_path: Path, answers: dict[str, Any]) -> None:
    # Half the combinations get the longest slug the hook accepts: a long import
    # or string that fits a line with "svc" must still be laid out as ruff wants.
    slug = "svc" if COMBINATIONS.index(answers) % 2 else LONGEST_SLUG
    project = generate(tmp_path, project_slug=slug, **answers)
    files = text_files(project)

    leftovers = [
        f"{path.relative_to(project)}: {match.group(0)!r}"
        for path in files
        for match in [UNRENDERED.search(path.read_text())]
        if match
    ]
    assert leftovers == []

    for path in files:
        if path.suffix == ".py":
            ast.parse(path.read_text(), filename=str(path))
        elif path.suffix == ".toml":
            tomllib.loads(path.read_text())
        elif path.suffix in {".yml", ".yaml"}:
            yaml.safe_load(path.read_text())

    # Lint and format every combination, not only the ones that get installed:
    # a Jinja branch can break ruff's layout in one combination only.
    for command in (
        ["ruff", "check", "--no-cache", "."],
        ["ruff", "format", "--check", "--no-cache", "."],
    ):
        result = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr

    for relative, present in expected_presence(answers, slug).items():
        assert (project / relative).exists() == present, relative
    # Of a file shipped once per option value, only the chosen one is left, under its final name.
    assert [path.name for path in files if re.search(r"\.[a-z_]+\.py$", path.name)] == []
    pooling = (project / "config/settings/database_pooling.py").read_text()
    assert f"pooling mode: {MODE_TITLES[answers['database_pooling']]}" in pooling
    broker = (project / "config/settings/celery_broker.py").read_text()
    assert (
        f"The Celery broker: {answers['celery_broker'].replace('rabbitmq', 'RabbitMQ').replace('redis', 'Redis')}"
        in broker
    )

    settings = (project / "config/settings/base.py").read_text()
    assert (f'"{slug}.shop"' in settings) == answers["include_example_app"]
    assert (f"from {slug}.shop.settings import *" in settings) == answers["include_example_app"]
    assert ("from config.settings.sentry import *" in settings) == answers["use_sentry"]
    assert ('"sentry-sdk' in (project / "pyproject.toml").read_text()) == answers["use_sentry"]
    assert ("SENTRY_DSN" in (project / ".env.example").read_text()) == answers["use_sentry"]
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["tool"]["mypy"]["python_version"] == answers["python_version"]
    env_example = (project / ".env.example").read_text()
    broker_scheme = "redis://" if answers["celery_broker"] == "redis" else "amqp://"
    assert f"CELERY_BROKER_URL={broker_scheme}" in env_example
    db_port = "6432" if answers["database_pooling"] == "pgbouncer" else "5432"
    assert f"@127.0.0.1:{db_port}/{slug}" in env_example
    assert ("SHIPPING_API_URL=" in env_example) == answers["include_example_app"]
    assert "SHIPPING_API_URL" not in (project / "config/settings/http.py").read_text()


def test_generation_writes_secret_and_answers(tmp_path: Path) -> None:
    project = generate(tmp_path, project_slug="svc")
    env_file = (project / ".env").read_text()
    secret = next(line for line in env_file.splitlines() if line.startswith("DJANGO_SECRET_KEY="))
    assert len(secret.split("=", 1)[1]) >= 50
    assert ".env" in (project / ".gitignore").read_text().splitlines()
    assert '"project_slug": "svc"' in (project / ".cruft.json").read_text()


def test_free_text_answers_are_escaped(tmp_path: Path) -> None:
    """Quotes, backslashes and non-ASCII in free text must not break any generated file."""
    description = 'Says "hi" \\ to \'everyone\' """ <b>&</b> über'
    project = generate(
        tmp_path, project_slug="svc", description=description, author_name='Ann "A" O\'Neil'
    )
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == description
    assert pyproject["project"]["authors"][0]["name"] == 'Ann "A" O\'Neil'
    for path in text_files(project):
        if path.suffix == ".py":
            ast.parse(path.read_text(), filename=str(path))


def test_cassettes_are_copied_verbatim(tmp_path: Path) -> None:
    project = generate(tmp_path, project_slug="svc")
    source = TEMPLATE / "{{cookiecutter.project_slug}}" / "tests/shop/cassettes"
    cassettes = sorted(source.glob("*.yaml"))
    assert cassettes
    for cassette in cassettes:
        copied = project / "tests/shop/cassettes" / cassette.name
        assert copied.read_bytes() == cassette.read_bytes(), cassette.name


def test_template_and_project_pin_the_same_ruff() -> None:
    """The render test lints with the template's ruff; it must be the project's."""
    pin = re.compile(r"ruff~=[\d.]+")
    template_pin = pin.findall((TEMPLATE / "requirements-dev.txt").read_text())
    project_pin = pin.findall(
        (TEMPLATE / "{{cookiecutter.project_slug}}" / "pyproject.toml").read_text()
    )
    assert template_pin == project_pin != []
