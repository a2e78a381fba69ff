"""Imports run one way: config/settings/ <- {{ cookiecutter.project_slug }}/core/ <- the apps.

Why: settings that import application code load models and signals before
Django is ready, and a core that imports an app (or config) cannot be reused
without it; either turns a small change into an import cycle. Read from the
source, so a new module is held to it the day it is written.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

from config.env import BASE_DIR

PACKAGE = "{{ cookiecutter.project_slug }}"
APPS = sorted(
    path.parent.name
    for path in (BASE_DIR / PACKAGE).glob("*/apps.py")
    if path.parent.name != "core"
)


def imported_modules(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def offending(folder: Path, forbidden: tuple[str, ...]) -> list[str]:
    """Each import under ``folder`` of a module in (or under) ``forbidden``."""
    return [
        f"{path.relative_to(folder)} imports {module}"
        for path in sorted(folder.rglob("*.py"))
        for module in imported_modules(path)
        if any(module == name or module.startswith(f"{name}.") for name in forbidden)
    ]


def test_settings_import_no_application_code() -> None:
    assert offending(BASE_DIR / "config" / "settings", (PACKAGE,)) == []


def test_core_imports_neither_config_nor_an_app() -> None:
    apps = tuple(f"{PACKAGE}.{app}" for app in APPS)
    assert offending(BASE_DIR / PACKAGE / "core", ("config", *apps)) == []


def test_the_walk_sees_an_import_that_runs_up_the_layers(tmp_path: Path) -> None:
    (tmp_path / "careless.py").write_text("from config.celery import app\nimport config\n")
    assert len(offending(tmp_path, ("config",))) == 2
