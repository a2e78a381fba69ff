"""What ships with a generated project, valid for every combination of answers.

The lock (uv.lock current with pyproject.toml), compose.yaml, the CI files and
renovate.json. Whole renders of every combination are test_render.py's job; here
only the files that ship are rendered, the way cookiecutter renders them (its
context, its Jinja environment, the hook's tables for which file a combination
keeps), which costs milliseconds. Each distinct rendering is then checked once:
``uv lock --check``, and the schemas check-jsonschema ships (it works offline).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from cookiecutter.environment import StrictEnvironment
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config
from jinja2 import FileSystemLoader

from tests.template import COMBINATIONS, LONGEST_SLUG, TEMPLATE, load_hook

PROJECT_TEMPLATE = TEMPLATE / "{{cookiecutter.project_slug}}"
POST_GEN = load_hook("post_gen_project")
SHIPPED = (
    "pyproject.toml",
    "uv.lock",
    "compose.yaml",
    "compose.override.yaml",
    "Dockerfile",
    "renovate.json",
    ".github/workflows/ci.yml",
    ".github/workflows/template-update.yml",
    ".github/workflows/django-next.yml",
    ".gitlab-ci.yml",
    ".env.example",
    "Makefile",
)
GITHUB_WORKFLOWS = (
    ".github/workflows/ci.yml",
    ".github/workflows/template-update.yml",
    ".github/workflows/django-next.yml",
)
# A release, not a moving tag: major.minor.patch ("v1.25.1-p0" too); PostgreSQL's
# releases have two numbers (16.11).
PINNED_IMAGE = re.compile(r"^(?:[\w./-]+:v?\d+\.\d+\.\d+[\w.-]*|postgres:\d+\.\d+)$")
PINNED_ACTION = re.compile(r"^uses: [\w.-]+/[\w.-]+@[0-9a-f]{40}  # v\d+\.\d+\.\d+$")
COMPOSE_VARIABLE = re.compile(r"\$\{(\w+)")


def slug_of(answers: dict[str, Any]) -> str:
    """As test_render.py: half the combinations get the longest slug the hook accepts."""
    return "svc" if COMBINATIONS.index(answers) % 2 else LONGEST_SLUG


@cache
def load_yaml(text: str) -> Any:
    """Parsed once per distinct text: most combinations share their files (read, never changed)."""
    return yaml.safe_load(text)


@cache
def environment() -> StrictEnvironment:
    return StrictEnvironment(keep_trailing_newline=True, loader=FileSystemLoader(PROJECT_TEMPLATE))


def render(answers: dict[str, Any], slug: str) -> dict[str, str]:
    """The shipped files this combination keeps, rendered: final path -> text."""
    context = generate_context(
        str(TEMPLATE / "cookiecutter.json"), extra_context={**answers, "project_slug": slug}
    )
    context["cookiecutter"] = prompt_for_config(context, no_input=True)
    chosen = context["cookiecutter"]
    removed = POST_GEN.paths_to_remove(chosen)
    files: dict[str, str] = {}
    for final in SHIPPED:
        if any(final == path or final.startswith(path + "/") for path in removed):
            continue
        source = Path(final)
        if final in POST_GEN.VARIANTS:
            value = chosen[POST_GEN.VARIANTS[final]]
            source = source.with_name(f"{source.stem}.{value}{source.suffix}")
        files[final] = environment().get_template(source.as_posix()).render(**context)
    return files


@pytest.fixture(scope="module")
def renders() -> list[tuple[dict[str, Any], dict[str, str]]]:
    return [(answers, render(answers, slug_of(answers))) for answers in COMBINATIONS]


def distinct(
    renders: Iterable[tuple[dict[str, Any], dict[str, str]]], *names: str
) -> list[dict[str, str]]:
    """Each distinct rendering of these files (the combinations that have all of them)."""
    seen: dict[tuple[str, ...], dict[str, str]] = {}
    for _, files in renders:
        if all(name in files for name in names):
            seen.setdefault(tuple(files[name] for name in names), {n: files[n] for n in names})
    return list(seen.values())


def write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)
    return directory


def validate(schema: str, paths: list[Path]) -> None:
    """check-jsonschema with one of its built-in (vendored, offline) schemas."""
    assert paths
    tool = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(tool), "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_combination_ships_its_files(renders: list[Any]) -> None:
    for answers, files in renders:
        ci = {"github": ".github/workflows/ci.yml", "gitlab": ".gitlab-ci.yml"}.get(answers["ci"])
        expected = {"pyproject.toml", "uv.lock", "compose.yaml", "Dockerfile", "renovate.json"}
        assert expected | ({ci} if ci else set()) <= set(files), answers
        pgbouncer = answers["database_pooling"] == "pgbouncer"
        assert ("compose.override.yaml" in files) == pgbouncer, answers


def test_the_lock_is_current_for_every_combination(tmp_path: Path, renders: list[Any]) -> None:
    """What `make setup` (uv sync --locked) and CI's `uv lock --check` demand of a new project.

    After a dependency change in pyproject.toml, re-lock both variants (uv.False.lock,
    uv.True.lock, one per use_sentry): `python scripts/relock.py`.
    """
    pairs = distinct(renders, "pyproject.toml", "uv.lock")
    assert len(pairs) >= 4  # use_sentry x two slugs, at least
    uv = Path(sys.executable).with_name("uv")
    for number, files in enumerate(pairs):
        project = write(tmp_path / str(number), files)
        result = subprocess.run(
            [str(uv), "lock", "--check", "--no-progress"],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, (
            f"uv.lock is out of date with pyproject.toml ({files['pyproject.toml'].splitlines()[1]});"
            " re-lock both variants: .venv/bin/python scripts/relock.py\n" + result.stderr
        )


def test_the_lock_names_the_project(renders: list[Any]) -> None:
    for answers, files in renders:
        name = slug_of(answers).replace("_", "-")
        assert (
            f'\nname = "{name}"\nversion = "0.1.0"\nsource = {{ editable = "." }}\n'
            in files["uv.lock"]
        )


def merged(base: Any, override: Any) -> Any:
    """As docker compose merges compose.override.yaml: mappings by key, lists appended."""
    if isinstance(base, dict) and isinstance(override, dict):
        keys = base.keys() | override.keys()
        return {
            key: merged(base[key], override[key])
            if key in base and key in override
            else base.get(key, override.get(key))
            for key in keys
        }
    if isinstance(base, list) and isinstance(override, list):
        return base + override
    return override


def compose_model(files: dict[str, str]) -> dict[str, Any]:
    model: dict[str, Any] = load_yaml(files["compose.yaml"])
    if "compose.override.yaml" in files:
        model = merged(model, load_yaml(files["compose.override.yaml"]))
    return model


def test_merging_follows_compose() -> None:
    base = {"services": {"db": {"ports": ["1:1"], "environment": {"A": "1", "B": "2"}}}}
    override = {"services": {"db": {"ports": ["2:2"], "environment": {"B": "3"}}, "x": {}}}
    assert merged(base, override) == {
        "services": {"db": {"ports": ["1:1", "2:2"], "environment": {"A": "1", "B": "3"}}, "x": {}}
    }


def test_compose_follows_the_compose_spec(tmp_path: Path, renders: list[Any]) -> None:
    paths = [
        write(tmp_path / f"{name}-{n}", found) / name
        for name in ("compose.yaml", "compose.override.yaml")
        for n, found in enumerate(distinct(renders, name))
    ]
    assert any(path.name == "compose.override.yaml" for path in paths)
    validate("vendor.compose-spec", paths)


def test_compose_pins_images_keeps_secrets_out_and_waits_for_health(renders: list[Any]) -> None:
    for answers, files in renders:
        services = compose_model(files)["services"]
        for name, service in services.items():
            if "image" in service and "build" not in service:
                assert PINNED_IMAGE.match(service["image"]), (name, service["image"])
            # Every credential comes from .env, and compose stops when it is missing there.
            for key, value in (service.get("environment") or {}).items():
                credentials = re.findall(r"//[^:/@]+:([^@]+)@", str(value))
                if re.search("PASS|SECRET", key):
                    credentials.append(str(value))
                for credential in credentials:
                    assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", credential), (name, key, value)
            for dependency, condition in (service.get("depends_on") or {}).items():
                if dependency == "release":  # a one-shot step: it must have finished
                    assert condition == {"condition": "service_completed_successfully"}
                    continue
                assert condition == {"condition": "service_healthy"}, (name, dependency)
                assert "healthcheck" in services[dependency], dependency
        # No trust: PostgreSQL asks every connection for the password, even from inside.
        postgres = services["postgres"]["environment"]
        assert "POSTGRES_HOST_AUTH_METHOD" not in postgres
        assert set(postgres["POSTGRES_INITDB_ARGS"].split()) == {
            "--auth-host=scram-sha-256",
            "--auth-local=scram-sha-256",
        }
        assert {"web", "worker", "beat", "release"} <= set(services)
        assert all(services[name]["build"] == "." for name in ("web", "worker", "beat"))
        # Migrations run once per deploy, before any process of the new code starts.
        assert services["release"]["command"] == ["python", "manage.py", "release"]
        assert "release" not in services["release"].get("depends_on", {})
        for name in ("web", "worker", "beat"):
            assert services[name]["depends_on"]["release"] == {
                "condition": "service_completed_successfully"
            }
        if answers["database_pooling"] == "pgbouncer":
            assert (
                "./deploy/pgbouncer.ini:/etc/pgbouncer/pgbouncer.ini:ro"
                in services["pgbouncer"]["volumes"]
            )
            # The app reaches PostgreSQL through PgBouncer, published where it listens.
            assert "127.0.0.1:6432:6432" in services["postgres"]["ports"]
            for name in ("web", "worker", "beat"):
                assert "@postgres:6432/" in services[name]["environment"]["DATABASE_URL"]
                assert "pgbouncer" in services[name]["depends_on"]
        else:
            assert "pgbouncer" not in services


def test_compose_variables_are_in_the_generated_env(tmp_path: Path, renders: list[Any]) -> None:
    """Each ${VAR:?...} compose reads is a line of the .env the hook writes, with a value."""
    seen: set[tuple[str, str]] = set()
    for _, files in renders:
        compose = files["compose.yaml"] + files.get("compose.override.yaml", "")
        if (compose, files[".env.example"]) in seen:
            continue
        seen.add((compose, files[".env.example"]))
        project = write(tmp_path, {".env.example": files[".env.example"]})
        POST_GEN.write_local_env(project)
        env = dict(
            line.split("=", 1)
            for line in (project / ".env").read_text().splitlines()
            if line and not line.startswith("#")
        )
        for variable in set(COMPOSE_VARIABLE.findall(compose)):
            assert env.get(variable), f"{variable} is not set in the generated .env"


def test_the_image_follows_the_python_answer(renders: list[Any]) -> None:
    for answers, files in renders:
        (base,) = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", files["Dockerfile"], re.MULTILINE)
        version = answers["python_version"]
        assert re.fullmatch(rf"python:{re.escape(version)}\.\d+-slim-bookworm", base), base


def test_ci_files_follow_their_schemas(tmp_path: Path, renders: list[Any]) -> None:
    for schema, names in (
        ("vendor.github-workflows", GITHUB_WORKFLOWS),
        ("vendor.gitlab-ci", (".gitlab-ci.yml",)),
    ):
        paths = [
            write(tmp_path / f"{schema}-{n}", found) / name
            for n, found in enumerate(distinct(renders, *names))
            for name in names
        ]
        validate(schema, paths)


def test_ci_runs_make_ci_on_the_locked_dependencies(renders: list[Any]) -> None:
    """Passing has one definition: CI installs the lock and runs `make ci`, nothing else."""
    for answers, files in renders:
        target = re.search(r"^ci: .*\n((?:\t.*\n)+)", files["Makefile"], re.MULTILINE)
        assert target, "make ci"
        assert "$(UV) lock --check" in target.group(1)
        assert "$(MAKE) lint check test test-processes" in target.group(1)
        ci = files.get(".github/workflows/ci.yml") or files.get(".gitlab-ci.yml")
        if ci is None:
            continue
        if answers["ci"] == "github":
            steps = load_yaml(ci)["jobs"]["test"]["steps"]
            commands = [step["run"] for step in steps if "run" in step]
        else:
            job = load_yaml(ci)["test"]
            commands = [job["before_script"][-1], *job["script"]]
        commands = [command for command in commands if "apt-get" not in command]
        assert commands == ["make setup PYTHON_BIN=python", "make ci"], answers["ci"]
        assert "cruft check" in ci
        images = re.findall(r"(?:image|name): ((?:postgres|redis|rabbitmq|python)\S*)", ci)
        assert images, answers
        assert all(PINNED_IMAGE.match(image) for image in images), images


def test_github_actions_are_pinned_by_commit(renders: list[Any]) -> None:
    for files in distinct(renders, *GITHUB_WORKFLOWS):
        for text in files.values():
            uses = [
                line.strip().removeprefix("- ") for line in text.splitlines() if "uses:" in line
            ]
            assert uses
            assert [line for line in uses if not PINNED_ACTION.match(line)] == []


def test_template_updates_are_proposed_on_a_schedule(renders: list[Any]) -> None:
    for answers, files in renders:
        if answers["ci"] == "github":
            workflow = load_yaml(files[".github/workflows/template-update.yml"])
            assert "schedule" in workflow[True]  # YAML 1.1 reads the key `on` as True
            script = files[".github/workflows/template-update.yml"]
        elif answers["ci"] == "gitlab":
            job = load_yaml(files[".gitlab-ci.yml"])["template-update"]
            assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
            script = files[".gitlab-ci.yml"]
        else:
            continue
        assert "cruft update --skip-apply-ask" in script
        assert "'*.rej'" in script  # the proposal lists what conflicted


def test_the_newest_django_runs_on_a_schedule_allowed_to_fail(renders: list[Any]) -> None:
    """The next LTS's breakage shows weeks ahead, without turning the main pipeline red."""
    for answers, files in renders:
        if answers["ci"] == "github":
            workflow = load_yaml(files[".github/workflows/django-next.yml"])
            assert set(workflow[True]) == {"schedule", "workflow_dispatch"}, "never on push"
            (job,) = workflow["jobs"].values()
            assert job["continue-on-error"] is True
            runs = [step.get("run") for step in job["steps"]]
            assert runs[-2:] == ["make setup PYTHON_BIN=python", "make test-django-next"]
            ci = load_yaml(files[".github/workflows/ci.yml"])
            assert set(job["services"]) == set(ci["jobs"]["test"]["services"]), answers
        elif answers["ci"] == "gitlab":
            pipeline = load_yaml(files[".gitlab-ci.yml"])
            job = pipeline["django-next"]
            assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
            assert job["allow_failure"] is True
            assert job["extends"] == "test", "the same services and setup as the tests"
            assert job["script"] == ["make test-django-next"]


def test_renovate_covers_every_kind_of_dependency(tmp_path: Path, renders: list[Any]) -> None:
    (config,) = distinct(renders, "renovate.json")
    path = write(tmp_path, config) / "renovate.json"
    validate("vendor.renovate", [path])
    managers = set(yaml.safe_load(config["renovate.json"])["enabledManagers"])
    assert {"pep621", "dockerfile", "docker-compose", "github-actions", "gitlabci"} <= managers
