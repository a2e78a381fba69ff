"""A project made with `cruft create` takes a later template version with `cruft update`.

Each test copies the template into a git repository of its own, creates a
project from it with cruft, commits the project as its team would, changes the
template in a second commit and runs `cruft update`. A clean update is one
where the change arrives, the answers stay and nothing is left to merge by
hand (no ``*.rej`` file).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.template import TEMPLATE

CRUFT = str(Path(sys.executable).with_name("cruft"))
SLUG = "svc_fleet"
# A fixed identity: the tests must not depend on the machine's git configuration.
GIT = ["git", "-c", "user.name=Template Tests", "-c", "user.email=tests@example.com"]


def run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def commit_all(repo: Path, message: str) -> None:
    run([*GIT, "add", "--all"], repo)
    run([*GIT, "commit", "--quiet", "--message", message], repo)


def template_repo(tmp_path: Path) -> Path:
    """The template as it is now, committed in a repository cruft can clone."""
    repo = tmp_path / "template"
    shutil.copytree(
        TEMPLATE,
        repo,
        ignore=shutil.ignore_patterns(".git", ".venv", "build", "__pycache__", ".*_cache", "*.pyc"),
    )
    run([*GIT, "init", "--quiet", "--initial-branch=main"], repo)
    commit_all(repo, "Template 1.0")
    return repo


def cruft_create(template: Path, tmp_path: Path) -> Path:
    """Generate as a team would, then commit (the next steps the hook prints)."""
    answers = json.dumps({"project_slug": SLUG})
    create = [CRUFT, "create", "--no-input", "--output-dir", str(tmp_path)]
    run([*create, "--extra-context", answers, str(template)], tmp_path)
    project = tmp_path / SLUG
    run([*GIT, "init", "--quiet", "--initial-branch=main"], project)
    commit_all(project, "Generated")
    return project


def change_template(template: Path, relative: str, old: str, new: str) -> None:
    path = template / "{{cookiecutter.project_slug}}" / relative
    text = path.read_text()
    assert text.count(old) == 1, f"{relative} no longer holds {old!r}"
    path.write_text(text.replace(old, new))
    commit_all(template, f"Template 1.1: {relative}")


def cruft_update(project: Path) -> None:
    run([CRUFT, "update", "--skip-apply-ask"], project)
    rejected = sorted(str(path.relative_to(project)) for path in project.rglob("*.rej"))
    assert rejected == [], "the update left conflicts to merge by hand"


def answers_of(project: Path) -> dict[str, object]:
    record = json.loads((project / ".cruft.json").read_text())
    return dict(record["context"]["cookiecutter"])


HTTP_SETTINGS = "config/settings/http.py"
HTTP_CHANGE = ("HTTP_USER_AGENT = ", "# Template 1.1 was here.\nHTTP_USER_AGENT = ")


def test_untouched_project_takes_the_update_cleanly(tmp_path: Path) -> None:
    template = template_repo(tmp_path)
    project = cruft_create(template, tmp_path)
    secret = (project / ".env").read_text()
    before = answers_of(project)

    change_template(template, HTTP_SETTINGS, *HTTP_CHANGE)
    cruft_update(project)

    assert "# Template 1.1 was here." in (project / HTTP_SETTINGS).read_text()
    after = answers_of(project)
    assert after.pop("_commit") != before.pop("_commit")
    assert after == before, "the answers are kept"
    assert (project / ".env").read_text() == secret, "the update never rewrites .env"
    changed = run(["git", "status", "--porcelain"], project).split()
    assert sorted(changed[1::2]) == [".cruft.json", HTTP_SETTINGS]


def test_edited_service_keeps_its_edits_and_takes_the_update(tmp_path: Path) -> None:
    template = template_repo(tmp_path)
    project = cruft_create(template, tmp_path)
    makefile = project / "Makefile"
    makefile.write_text(makefile.read_text() + "\nreport: ## The team's own target\n\techo ok\n")
    celery = project / "config/settings/celery.py"
    celery.write_text(celery.read_text() + "\nCELERY_TASK_SOFT_TIME_LIMIT = 30  # ours\n")
    commit_all(project, "Our edits")

    change_template(template, HTTP_SETTINGS, *HTTP_CHANGE)
    cruft_update(project)

    assert "report: ## The team's own target" in makefile.read_text()
    assert "CELERY_TASK_SOFT_TIME_LIMIT = 30  # ours" in celery.read_text()
    assert "# Template 1.1 was here." in (project / HTTP_SETTINGS).read_text()


def test_service_without_the_example_gets_none_of_it_back(tmp_path: Path) -> None:
    template = template_repo(tmp_path)
    project = cruft_create(template, tmp_path)
    # Remove the example as a user would: its package, tests and benchmarks, and the lines naming it.
    for relative in (f"{SLUG}/shop", "tests/shop", "benchmarks"):
        shutil.rmtree(project / relative)
    for relative in ("config/settings/base.py", "config/api.py"):
        path = project / relative
        kept = [line for line in path.read_text().splitlines() if "shop" not in line]
        path.write_text("\n".join(kept) + "\n")
    commit_all(project, "Without the example shop")

    # The template's example gains a periodic task.
    change_template(
        template,
        "{{cookiecutter.project_slug}}/shop/settings.py",
        '"shop-products-image-count-refresh": {',
        '"shop-catalog-audit": {"task": "shop.tasks.catalog_audit", "schedule": 3600},\n'
        '    "shop-products-image-count-refresh": {',
    )
    cruft_update(project)

    assert not (project / SLUG / "shop").exists()
    assert not (project / "tests/shop").exists()
    mentions = [
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file()
        and ".git" not in path.parts
        and re.search("catalog_audit|shop-catalog", path.read_text(errors="replace"))
    ]
    assert mentions == [], "the deleted example came back"
    status = run(["git", "status", "--porcelain"], project).split()
    assert status[1::2] == [".cruft.json"], "only the record of the applied version changes"
