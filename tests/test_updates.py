"""A project made with `cruft create` takes a later template version with `cruft update`.

Each test copies the template into a git repository of its own, creates a
project from it with cruft, commits the project as its team would, changes the
template in a second commit and runs `cruft update`. A clean update is one
where the change arrives, the answers stay and nothing is left to merge by
hand (no ``*.rej`` file). Around it: what cruft create and update print,
`make template-diff` (what an update would change), a version named by its
commit, and the commits CHANGELOG.md names for the released versions.
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


def cruft_create(template: Path, tmp_path: Path, **answers: object) -> tuple[Path, str]:
    """Generate as a team would, then commit (the next steps the hook prints); and the output."""
    context = json.dumps({"project_slug": SLUG, **answers})
    create = [CRUFT, "create", "--no-input", "--output-dir", str(tmp_path)]
    printed = run([*create, "--extra-context", context, str(template)], tmp_path)
    project = tmp_path / SLUG
    run([*GIT, "init", "--quiet", "--initial-branch=main"], project)
    commit_all(project, "Generated")
    return project, printed


def change_template(template: Path, relative: str, old: str, new: str) -> str:
    """Change one file of the template in a commit of its own; that commit."""
    path = template / "{{cookiecutter.project_slug}}" / relative
    text = path.read_text()
    assert text.count(old) == 1, f"{relative} no longer holds {old!r}"
    path.write_text(text.replace(old, new))
    commit_all(template, f"Template 1.1: {relative}")
    return run(["git", "rev-parse", "HEAD"], template).strip()


def cruft_update(project: Path, *options: str) -> str:
    printed = run([CRUFT, "update", "--skip-apply-ask", *options], project)
    rejected = sorted(str(path.relative_to(project)) for path in project.rglob("*.rej"))
    assert rejected == [], "the update left conflicts to merge by hand"
    return printed


def answers_of(project: Path) -> dict[str, object]:
    record = json.loads((project / ".cruft.json").read_text())
    return dict(record["context"]["cookiecutter"])


HTTP_SETTINGS = "config/settings/http.py"
HTTP_CHANGE = ("HTTP_USER_AGENT = ", "# Template 1.1 was here.\nHTTP_USER_AGENT = ")


def test_untouched_project_takes_the_update_cleanly(tmp_path: Path) -> None:
    template = template_repo(tmp_path)
    project, _ = cruft_create(template, tmp_path)
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
    project, _ = cruft_create(template, tmp_path)
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
    project, _ = cruft_create(template, tmp_path)
    # Remove the example as a user would: its package, tests, benchmarks, settings and
    # page of docs, and the lines naming it.
    for relative in (f"{SLUG}/shop", "tests/shop", "benchmarks"):
        shutil.rmtree(project / relative)
    for relative in ("config/settings/shop.py", "docs/shop.md"):
        (project / relative).unlink()
    for relative in ("config/settings/base.py", "config/api.py"):
        path = project / relative
        kept = [line for line in path.read_text().splitlines() if "shop" not in line]
        path.write_text("\n".join(kept) + "\n")
    commit_all(project, "Without the example shop")

    # The template's example gains a periodic task (the shop registers its own).
    change_template(
        template,
        "{{cookiecutter.project_slug}}/shop/apps.py",
        "        current_app.add_periodic_task(\n",
        '        current_app.add_periodic_task(3600, "shop.tasks.catalog_audit")\n'
        "        current_app.add_periodic_task(\n",
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


# The last landed version whose core/ was flat (one module per concern beside
# core/checks/ and core/management/commands/); the next moved each practice into
# a package of its own. A rename is the hardest update a fleet takes.
FLAT_CORE = "57a41265fb057258aa108f32e9b944c255ab0442"


def template_repo_at(tmp_path: Path, commit: str) -> Path:
    """The template as it was at ``commit``, committed in a repository of its own."""
    known = subprocess.run(
        ["git", "-C", str(TEMPLATE), "cat-file", "-e", f"{commit}^{{commit}}"], check=False
    )
    assert known.returncode == 0, f"{commit} is not in this clone: clone the template whole"
    repo = tmp_path / "template"
    repo.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(TEMPLATE), "archive", commit], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(repo)], input=archive.stdout, check=True)
    run([*GIT, "init", "--quiet", "--initial-branch=main"], repo)
    commit_all(repo, "Template 1.0 (flat core)")
    return repo


def template_moves_on(template: Path) -> None:
    """The template's tree replaced by this checkout's, committed as its next version."""
    for path in template.iterdir():
        if path.name != ".git":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for path in template_repo(template.parent / "current").iterdir():
        if path.name != ".git":
            shutil.move(str(path), template / path.name)
    commit_all(template, "Template 1.1: one package per practice")


def project_files(project: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.parts and path.name not in {".cruft.json", ".env"}
    }


def test_an_untouched_service_moves_to_the_package_layout(tmp_path: Path) -> None:
    template = template_repo_at(tmp_path, FLAT_CORE)
    project, _ = cruft_create(template, tmp_path)
    assert (project / SLUG / "core" / "cache.py").exists()

    template_moves_on(template)
    cruft_update(project)

    (tmp_path / "fresh").mkdir()
    fresh, _ = cruft_create(template, tmp_path / "fresh")
    assert project_files(project) == project_files(fresh), "the update gives a fresh project's tree"


def test_a_service_with_edits_keeps_them_across_the_move(tmp_path: Path) -> None:
    template = template_repo_at(tmp_path, FLAT_CORE)
    project, _ = cruft_create(template, tmp_path)
    makefile = project / "Makefile"
    makefile.write_text(makefile.read_text() + "\nreport: ## The team's own target\n\techo ok\n")
    sessions = project / SLUG / "core" / "http.py"  # moves to core/http/sessions.py
    sessions.write_text(sessions.read_text() + "\n# The team's note on the session.\n")
    commit_all(project, "Our edits")

    template_moves_on(template)
    cruft_update(project)

    assert "report: ## The team's own target" in makefile.read_text()
    moved = project / SLUG / "core" / "http" / "sessions.py"
    assert "# The team's note on the session." in moved.read_text()
    assert not sessions.exists()


def test_cruft_create_prints_the_next_steps_once_with_the_commit_after_cruft(
    tmp_path: Path,
) -> None:
    """cruft writes .cruft.json after the hook: the first commit is the team's, and whole."""
    template = template_repo(tmp_path)
    create = [CRUFT, "create", "--no-input", "--output-dir", str(tmp_path)]
    printed = run(
        [*create, "--extra-context", json.dumps({"project_slug": SLUG}), str(template)], tmp_path
    )
    project = tmp_path / SLUG

    assert printed.count("Next steps:") == 1, printed
    (git_step,) = [line.strip() for line in printed.splitlines() if "git init" in line]
    assert not (project / ".git").exists(), "no repository before cruft wrote its record"
    identity = "-c user.name=T -c user.email=t@example.com"
    run(["bash", "-c", git_step.replace("git commit", f"git {identity} commit")], project)
    assert run(["git", "status", "--porcelain"], project) == ""
    assert ".cruft.json" in run(["git", "ls-files"], project).split()


def test_without_git_init_cruft_create_gives_no_git_step(tmp_path: Path) -> None:
    _, printed = cruft_create(template_repo(tmp_path), tmp_path, git_init=False)
    assert "Next steps:" in printed
    assert "git init" not in printed


def test_a_template_given_as_a_path_is_named_as_one_ci_cannot_reach(tmp_path: Path) -> None:
    template = template_repo(tmp_path)
    _, printed = cruft_create(template, tmp_path)
    assert f"given as a local path, which .cruft.json records ({template})" in printed
    assert "cruft create https://github.com/<owner>/<template>" in printed


def test_an_update_prints_no_next_steps(tmp_path: Path) -> None:
    """cruft update renders both versions: a hook printing steps would print them twice."""
    template = template_repo(tmp_path)
    project, _ = cruft_create(template, tmp_path)
    change_template(template, HTTP_SETTINGS, *HTTP_CHANGE)

    printed = cruft_update(project)

    assert "Next steps" not in printed
    assert "local path" not in printed
    assert "cruft has been updated" in printed


def files_of(project: Path) -> dict[Path, bytes]:
    """Every file of the work tree and its bytes (git's own store aside)."""
    return {
        path: path.read_bytes()
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


def make_template_diff(project: Path, *args: str) -> str:
    return run(["make", "template-diff", *args, f"CRUFT={CRUFT}"], project)


def test_template_diff_shows_the_update_not_the_teams_edits_and_changes_nothing(
    tmp_path: Path,
) -> None:
    template = template_repo(tmp_path)
    project, _ = cruft_create(template, tmp_path)
    celery = project / "config/settings/celery.py"
    celery.write_text(celery.read_text() + "\nCELERY_TASK_SOFT_TIME_LIMIT = 30  # ours\n")
    commit_all(project, "Our edit")
    change_template(template, HTTP_SETTINGS, *HTTP_CHANGE)
    before = files_of(project)

    shown = make_template_diff(project)

    assert "+# Template 1.1 was here." in shown
    assert "+++ b/.cruft.json" in shown, "the record of the applied version too"
    assert "CELERY_TASK_SOFT_TIME_LIMIT = 30  # ours" not in shown
    assert files_of(project) == before, "nothing changed in the project"
    assert run(["git", "status", "--porcelain"], project) == ""
    assert len(run(["git", "worktree", "list"], project).splitlines()) == 1
    # What the README says cruft diff does instead: the team's edit, reversed.
    differences = run([CRUFT, "diff"], project)
    assert "-CELERY_TASK_SOFT_TIME_LIMIT = 30  # ours" in differences


def test_a_service_moves_to_the_version_its_commit_names(tmp_path: Path) -> None:
    template = template_repo(tmp_path)
    project, _ = cruft_create(template, tmp_path)
    version_11 = change_template(template, HTTP_SETTINGS, *HTTP_CHANGE)
    change_template(
        template,
        "config/settings/celery.py",
        "CELERY_ACCEPT_CONTENT",
        "# Template 1.2\nCELERY_ACCEPT_CONTENT",
    )

    shown = make_template_diff(project, f"CHECKOUT={version_11}")
    assert "+# Template 1.1 was here." in shown
    assert "Template 1.2" not in shown

    cruft_update(project, "--checkout", version_11)
    assert "# Template 1.1 was here." in (project / HTTP_SETTINGS).read_text()
    assert "Template 1.2" not in (project / "config/settings/celery.py").read_text()
    record = json.loads((project / ".cruft.json").read_text())
    assert record["commit"] == version_11


RELEASE = re.compile(
    r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}\n\nCommit: `([0-9a-f]{40})`", re.MULTILINE
)


def test_each_released_version_names_its_commit_in_this_repository() -> None:
    """A version a service can name (cruft update --checkout <commit>) on any full clone.

    A tag may not travel with a clone or a mirror; a commit of the history does.
    The commit of a version is one whose CHANGELOG.md has it as its newest release.
    """
    changelog = (TEMPLATE / "CHANGELOG.md").read_text()
    headings = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, re.MULTILINE)
    releases = RELEASE.findall(changelog)
    assert headings, "no released version in CHANGELOG.md"
    assert [version for version, _ in releases] == headings, (
        "each released version's heading is followed by its `Commit: <40 hex digits>` line"
    )
    shallow = run(["git", "rev-parse", "--is-shallow-repository"], TEMPLATE).strip()
    assert shallow == "false", "a shallow clone lacks the releases' commits: git fetch --unshallow"
    for version, commit in releases:
        at_release = run(["git", "show", f"{commit}:CHANGELOG.md"], TEMPLATE)
        newest = re.search(r"^## \[(\d+\.\d+\.\d+)\]", at_release, re.MULTILINE)
        assert newest is not None, commit
        assert newest.group(1) == version, f"{commit} is version {newest.group(1)}, not {version}"
