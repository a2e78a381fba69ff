"""Helpers for the template's tests: load the hooks, generate a project, list options."""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
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
    # cookiecutter leaves each hook it renders in the temporary folder (tmpXXXX.py, never
    # removed): here in a folder of the render's own, removed after it.
    hooks = tempfile.mkdtemp(prefix="cookiecutter-hooks-")
    default, tempfile.tempdir = tempfile.tempdir, hooks
    try:
        project = cookiecutter(
            str(TEMPLATE),
            no_input=True,
            extra_context=answers,
            output_dir=str(output_dir),
            accept_hooks=True,
        )
    finally:
        tempfile.tempdir = default
        shutil.rmtree(hooks, ignore_errors=True)
    return Path(project)


def text_files(project: Path) -> list[Path]:
    return [path for path in sorted(project.rglob("*")) if path.is_file()]


def renders_remembered() -> None:
    """Remember across renders in this process what does not change between them (for
    rendering many combinations). cookiecutter builds a new Jinja environment per
    render, so each of the ~640 templates of a render was parsed and compiled again,
    more than half a render's time; and it asks of every template file whether it is
    binary, reading and scoring its bytes, a quarter of the rest.

    A compiled template is a code object that depends only on its source and the
    environment's syntax settings, which are the same for every render: the key holds
    both, so a change to either compiles anew. A file's binariness is kept per path,
    size and modification time.
    """
    import cookiecutter.generate
    import jinja2

    is_binary = cookiecutter.generate.is_binary
    binary: dict[tuple[str, int, int], bool] = {}

    def is_binary_remembered(path: str) -> bool:
        stat = Path(path).stat()
        key = (path, stat.st_size, stat.st_mtime_ns)
        if key not in binary:
            binary[key] = is_binary(path)
        return binary[key]

    cookiecutter.generate.is_binary = is_binary_remembered

    compile_once = jinja2.Environment.compile
    compiled: dict[tuple[Any, ...], Any] = {}

    def compile(
        self: jinja2.Environment,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if not isinstance(source, str):
            return compile_once(self, source, name, filename, raw, defer_init)
        key = (
            type(self),
            tuple(sorted(self.extensions)),
            tuple(sorted(self.filters)),
            self.block_start_string,
            self.variable_start_string,
            self.comment_start_string,
            self.line_statement_prefix,
            self.trim_blocks,
            self.lstrip_blocks,
            self.keep_trailing_newline,
            self.newline_sequence,
            self.optimized,
            source,
            name,
            filename,
            raw,
            defer_init,
        )
        if key not in compiled:
            compiled[key] = compile_once(self, source, name, filename, raw, defer_init)
        return compiled[key]

    jinja2.Environment.compile = compile  # type: ignore[method-assign]


def find_python(version: str) -> str:
    """The interpreter for a python_version answer: pyenv's build, or one on PATH."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for candidate in sorted(
        pyenv_root.glob(f"versions/{version}.*/bin/python{version}"), reverse=True
    ):
        return str(candidate)
    for directory in ("/usr/local/bin", "/usr/bin"):
        candidate = Path(directory) / f"python{version}"
        if candidate.exists():
            return str(candidate)
    found = shutil.which(f"python{version}")
    if found is None:
        pytest.fail(f"Python {version} is needed here; install it (pyenv install {version}).")
    return found
