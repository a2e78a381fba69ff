"""Helpers for the template's tests: load the hooks, generate a project, list options."""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
CONTEXT = json.loads((TEMPLATE / "cookiecutter.json").read_text())

# Every value of every option that changes the generated files.
OPTIONS: dict[str, list[Any]] = {
    "python_version": CONTEXT["python_version"],
    "database_pooling": CONTEXT["database_pooling"],
    "celery_broker": CONTEXT["celery_broker"],
    "include_example_app": [True, False],
    "include_benchmarks": [True, False],
    "use_sentry": [True, False],
    "ci": CONTEXT["ci"],
}
# Without the example app there are no benchmarks whatever the answer: one of the two is enough.
COMBINATIONS = [
    answers
    for values in itertools.product(*OPTIONS.values())
    if (answers := dict(zip(OPTIONS, values, strict=True)))["include_example_app"]
    or not answers["include_benchmarks"]
]

UNRENDERED = re.compile(r"\{\{\s*cookiecutter|\{%|\{#")


def combination_id(answers: dict[str, Any]) -> str:
    """A readable test id, e.g. py312-pgbouncer-redis-example-nosentry-github.

    "example-nobench" marks the example app without its benchmarks.
    """
    return "-".join(
        [
            "py" + answers["python_version"].replace(".", ""),
            answers["database_pooling"],
            answers["celery_broker"],
            ("example" if answers["include_example_app"] else "noexample")
            + (
                ""
                if answers["include_benchmarks"] or not answers["include_example_app"]
                else "-nobench"
            ),
            "sentry" if answers["use_sentry"] else "nosentry",
            answers["ci"],
        ]
    )


def load_hook(name: str) -> ModuleType:
    """Import hooks/<name>.py as a module (the Jinja lives only under __main__)."""
    path = TEMPLATE / "hooks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The longest project_slug hooks/pre_gen_project.py accepts.
LONGEST_SLUG = "svc_" + "x" * (load_hook("pre_gen_project").MAX_SLUG_LENGTH - 4)


def generate(output_dir: Path, **answers: Any) -> Path:
    """Render the template without prompts and return the project directory.

    No git repository unless the test asks for one (git_init=True): the render
    tests read every file, and 300 first commits would only cost time.
    """
    answers.setdefault("git_init", False)
    project = cookiecutter(
        str(TEMPLATE),
        no_input=True,
        extra_context=answers,
        output_dir=str(output_dir),
        accept_hooks=True,
    )
    return Path(project)


def text_files(project: Path) -> list[Path]:
    return [path for path in sorted(project.rglob("*")) if path.is_file()]
