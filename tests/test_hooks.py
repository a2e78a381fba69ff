"""The hooks' logic, called directly: validation messages and the removal table."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.template import CONTEXT, OPTIONS, TEMPLATE, generate, load_hook

pre_gen = load_hook("pre_gen_project")
post_gen = load_hook("post_gen_project")

VALID: dict[str, Any] = {
    "project_name": "Orders Service",
    "project_slug": "orders_service",
    "description": "x",
    "author_name": "A",
    "author_email": "a@example.com",
    "python_version": "3.12",
    "database_pooling": "pgbouncer",
    "celery_broker": "redis",
    "include_example_app": True,
    "include_benchmarks": True,
    "use_sentry": False,
    "ci": "github",
    "git_init": True,
}

# (answer, value, words the message must contain)
BAD_ANSWERS = [
    ("project_slug", "Orders-Service", "not a lowercase Python identifier"),
    ("project_slug", "2fast", "not a lowercase Python identifier"),
    ("project_slug", "", "not a lowercase Python identifier"),
    ("project_slug", "orders_", "not a lowercase Python identifier"),
    ("project_slug", "class", "is a Python keyword"),
    ("project_slug", "json", "would shadow the module 'json'"),
    ("project_slug", "test", "would shadow the module 'test'"),
    ("project_slug", "django", "would shadow the module 'django'"),
    ("project_slug", "celery", "would shadow the module 'celery'"),
    ("project_slug", "requests", "would shadow the module 'requests'"),
    ("project_slug", "config", "would shadow the module 'config'"),
    ("project_slug", "a" * 41, "longer than 40 characters"),
    ("project_name", "   ", "project_name is empty"),
    ("author_email", "not-an-email", "is not an email address"),
    ("author_email", "a@b", "is not an email address"),
    ("python_version", "3.10", "Choose one of: 3.11, 3.12, 3.13"),
    ("database_pooling", "pgpool", "Choose one of: pgbouncer, django_pool, persistent"),
    ("celery_broker", "sqs", "Choose one of: redis, rabbitmq"),
    ("ci", "jenkins", "Choose one of: github, gitlab, none"),
    ("include_example_app", "maybe", "must be a yes/no answer"),
    ("include_benchmarks", "sometimes", "must be a yes/no answer"),
    ("use_sentry", None, "must be a yes/no answer"),
    ("git_init", "sometimes", "must be a yes/no answer"),
]


def test_the_defaults_are_valid() -> None:
    assert pre_gen.validate(VALID) == []


def test_cookiecutter_json_offers_exactly_the_validated_choices() -> None:
    for name, accepted in pre_gen.CHOICES.items():
        assert sorted(CONTEXT[name]) == sorted(accepted), name
    for name in pre_gen.BOOLEANS:
        assert isinstance(CONTEXT[name], bool), name


@pytest.mark.parametrize(("answer", "value", "words"), BAD_ANSWERS)
def test_each_bad_answer_gets_one_clear_message(answer: str, value: object, words: str) -> None:
    messages = pre_gen.validate({**VALID, answer: value})
    assert len(messages) == 1, messages
    assert answer in messages[0]
    assert words in messages[0]


def test_main_prints_every_problem_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    status = pre_gen.main({**VALID, "project_slug": "django", "author_email": "nope"})
    err = capsys.readouterr().err
    assert status == 1
    assert "no project was generated" in err
    assert "project_slug='django'" in err
    assert "author_email='nope'" in err


def test_removal_table_names_paths_per_option() -> None:
    removed = post_gen.paths_to_remove(
        {**VALID, "include_example_app": False, "database_pooling": "persistent", "ci": "none"}
    )
    assert "orders_service/shop" in removed
    assert "tests/shop" in removed
    assert "deploy/pgbouncer.ini" in removed
    assert ".github" in removed
    assert ".gitlab-ci.yml" in removed
    assert "config/sentry.py" in removed
    assert "benchmarks" in removed
    pgbouncer_sentry_github = {**VALID, "use_sentry": True}
    assert post_gen.paths_to_remove(pgbouncer_sentry_github) == [
        *post_gen.DJANGO_POOL_FILES,
        ".gitlab-ci.yml",
    ]
    assert "benchmarks" in post_gen.paths_to_remove({**VALID, "include_benchmarks": False})


def test_removal_table_only_names_real_options() -> None:
    for option, value in post_gen.REMOVED_WHEN:
        assert value in OPTIONS[option], (option, value)


def test_variants_table_names_real_options_and_shipped_files() -> None:
    project = TEMPLATE / "{{cookiecutter.project_slug}}"
    for relative, option in post_gen.VARIANTS.items():
        target = project / relative.format(slug="{{cookiecutter.project_slug}}")
        shipped = {
            path.name.removeprefix(f"{target.stem}.").removesuffix(target.suffix)
            for path in target.parent.glob(f"{target.stem}.*{target.suffix}")
        }
        assert shipped == set(map(str, OPTIONS[option])), relative
        assert not target.exists(), f"{relative} is made from its variants, not shipped"


def test_the_chosen_variant_takes_the_final_name(tmp_path: Path) -> None:
    settings = tmp_path / "config" / "settings"
    settings.mkdir(parents=True)
    for mode in ("pgbouncer", "django_pool", "persistent"):
        (settings / f"database_pooling.{mode}.py").write_text(mode)
    post_gen.keep_variants(tmp_path, {**VALID, "database_pooling": "django_pool"})
    assert sorted(path.name for path in settings.iterdir()) == ["database_pooling.py"]
    assert (settings / "database_pooling.py").read_text() == "django_pool"


def test_local_env_gets_a_fresh_strong_secret(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text("# comment\nDJANGO_SECRET_KEY=\nDJANGO_DEBUG=true\n")
    post_gen.write_local_env(tmp_path)
    first = (tmp_path / ".env").read_text()
    post_gen.write_local_env(tmp_path)
    second = (tmp_path / ".env").read_text()
    secret = next(line for line in first.splitlines() if line.startswith("DJANGO_SECRET_KEY="))
    assert len(secret.split("=", 1)[1]) >= 50
    assert "DJANGO_DEBUG=true" in first
    assert first != second, "each generation gets its own secret"
    assert (tmp_path / ".env").stat().st_mode & 0o077 == 0, "the secret is private to its owner"


def test_answers_are_kept_in_cruft_format(tmp_path: Path) -> None:
    answers = {
        **VALID,
        "_template": "gh:example/template",
        "_output_dir": str(tmp_path),
        "_checkout": None,
    }
    post_gen.write_answers(tmp_path, answers)
    record = json.loads((tmp_path / ".cruft.json").read_text())
    assert record["template"] == "gh:example/template"
    assert record["context"]["cookiecutter"]["project_slug"] == "orders_service"
    assert record["context"]["cookiecutter"]["_template"] == "gh:example/template"
    assert "_output_dir" not in record["context"]["cookiecutter"]
    assert set(record) == {"template", "commit", "checkout", "context", "directory"}


def git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def no_git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine where git knows no user.name or user.email (a fresh CI runner, a new laptop)."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_git_identity")
def test_generation_makes_one_clean_first_commit_without_the_secret(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    project = generate(tmp_path, project_slug="svc", git_init=True, author_email="team@example.org")
    assert git(project, "rev-list", "--count", "HEAD") == "1"
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""
    assert (project / ".env").exists()
    assert git(project, "ls-files", ".env") == "", ".env holds a secret and is never committed"
    assert git(project, "log", "-1", "--format=%ae") == "team@example.org"
    assert "Makefile" in git(project, "ls-files").splitlines()
    out = capfd.readouterr().out
    for step in ("cd svc", "make setup", "make run", "generate_catalog", "createsuperuser"):
        assert step in out, step
    assert "Where things live" in out


def test_without_git_init_there_is_no_repository(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    project = generate(tmp_path, project_slug="svc", git_init=False, include_example_app=False)
    assert not (project / ".git").exists()
    out = capfd.readouterr().out
    assert "make setup" in out
    assert "generate_catalog" not in out, "no demo data without the example app"


def test_inside_another_repository_no_nested_one_is_made(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    subprocess.run(["git", "init", "--quiet", str(tmp_path)], check=True)
    project = generate(tmp_path, project_slug="svc", git_init=True)
    assert not (project / ".git").exists()
    assert "inside another git repository" in capfd.readouterr().out


@pytest.mark.parametrize(
    ("command", "subcommand"),
    [
        (["/usr/bin/python3", "/home/me/.local/bin/cruft", "update", "--skip-apply-ask"], "update"),
        (["python", "-m", "cruft", "diff"], "diff"),
        (["/venv/bin/python", "/venv/bin/cruft", "create", "https://github.com/o/t"], "create"),
        (["/usr/bin/python3", "/usr/bin/cookiecutter", "."], ""),
        ([""], ""),
    ],
)
def test_the_cruft_command_is_read_from_its_command_line(
    command: list[str], subcommand: str
) -> None:
    assert post_gen.cruft_subcommand(command) == subcommand


@pytest.mark.parametrize(
    ("template", "local"),
    [
        ("https://github.com/owner/template", False),
        ("git@github.com:owner/template.git", False),
        ("ssh://git@example.com/owner/template.git", False),
        ("gh:owner/template", False),
        ("/home/me/template", True),
        (".", True),
        ("../template", True),
        ("file:///home/me/template", True),
    ],
)
def test_a_local_template_is_told_from_one_ci_can_clone(template: str, local: bool) -> None:
    assert post_gen.is_local(template) is local


def test_a_local_template_is_kept_by_its_absolute_path(tmp_path: Path) -> None:
    """cookiecutter passes the path as typed ("."), meaningless once in the project."""
    post_gen.write_answers(tmp_path, {**VALID, "_template": ".", "_repo_dir": str(TEMPLATE)})
    record = json.loads((tmp_path / ".cruft.json").read_text())
    assert record["template"] == str(TEMPLATE)


def test_a_render_leaves_no_hook_behind_in_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cookiecutter writes each rendered hook to a temporary file it never removes: six
    thousand of them in /tmp after a day of test runs, until generate() gave them a folder."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    generate(tmp_path / "out", project_slug="svc", include_example_app=False)
    assert list(temporary.iterdir()) == []
