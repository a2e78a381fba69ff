"""Shape the generated project after cookiecutter rendered it.

Four jobs, no network access:
1. keep the files of the chosen options: remove those of the others (one
   table, one loop), and of a file shipped once per option value keep the
   chosen variant under its final name (one table, one loop);
2. write a local ``.env`` with a freshly generated SECRET_KEY (git-ignored,
   for local and test use only; production reads its secret from its own env);
3. keep the answers in ``.cruft.json`` so ``cruft update`` can re-apply a later
   version of the template;
4. make the project a git repository with a first commit (answer ``git_init``),
   so the first change a team makes is already a diff, and print the next steps.

Under cruft (its context carries ``_commit``) the hook leaves ``.cruft.json``
and git to cruft and the user: ``cruft create`` writes its record after the hook,
so a first commit made here would miss it (the next steps give the git commands
instead, when ``git_init`` is yes); ``cruft update`` and ``cruft diff`` render the
template into temporary directories, where a repository, a second record or the
next steps (printed once per render) would only be noise: there the hook prints
nothing. A template given as a local path is recorded as that path, which CI
cannot reach: the hook says so and shows the URL form.
What ``cruft update`` must never touch (``.env``) is listed once, under
``[tool.cruft]`` in the generated pyproject.toml, which cruft reads on update
whichever tool generated the project.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

PGBOUNCER_FILES = (
    "deploy/pgbouncer.ini",
    "deploy/pgbouncer.local.ini",
    "deploy/pgbouncer.local.userlist.txt",
    "deploy/pgbouncer.replica.ini",
    "tests/deploy/test_pgbouncer.py",
    "compose.override.yaml",
    "scripts/pgbouncer.py",
    "tests/support/pgbouncer.py",
    "deploy/kubernetes/base/pgbouncer.yaml",
)

DJANGO_POOL_FILES = (
    "tests/config/test_celery_pool.py",
    "tests/config/pool_worker.py",
    "tests/config/pool_worker_settings.py",
)

# (option, value) -> paths removed when the option has that value.
REMOVED_WHEN: dict[tuple[str, object], tuple[str, ...]] = {
    ("include_example_app", False): (
        "{slug}/shop",
        "tests/shop",
        "benchmarks",
        "tests/test_benchmarks.py",
        "config/settings/shop.py",
        "docs/shop.md",
    ),
    # The benchmarks measure the example app; without it they go too (above).
    ("include_benchmarks", False): ("benchmarks", "tests/test_benchmarks.py"),
    ("database_pooling", "pgbouncer"): DJANGO_POOL_FILES,
    ("database_pooling", "django_pool"): PGBOUNCER_FILES,
    ("database_pooling", "persistent"): (*PGBOUNCER_FILES, *DJANGO_POOL_FILES),
    ("use_sentry", False): (
        "config/sentry.py",
        "config/settings/sentry.py",
        "tests/config/test_sentry.py",
    ),
    ("ci", "github"): (".gitlab-ci.yml",),
    ("ci", "gitlab"): (".github",),
    ("ci", "none"): (".github", ".gitlab-ci.yml"),
}


# Final path -> the option whose value picks its variant. The template ships one
# whole file per value beside it, named <stem>.<value><suffix> (for example
# config/settings/database_pooling.pgbouncer.py); the chosen one becomes the final path.
VARIANTS: dict[str, str] = {
    "config/settings/database_pooling.py": "database_pooling",
    "config/settings/celery_broker.py": "celery_broker",
    "tests/config/settings/test_database_pooling.py": "database_pooling",
    "tests/config/settings/test_celery_broker.py": "celery_broker",
    "{slug}/core/database/connection_demand.py": "database_pooling",
    # The lock of the dependency set: sentry-sdk is one only with use_sentry.
    "uv.lock": "use_sentry",
}


def paths_to_remove(answers: dict[str, Any]) -> list[str]:
    """The relative paths that the chosen answers exclude."""
    slug = answers["project_slug"]
    removed: list[str] = []
    for (option, value), paths in REMOVED_WHEN.items():
        if answers.get(option) == value:
            removed += [path.format(slug=slug) for path in paths]
    return removed


def remove_paths(project: Path, paths: list[str]) -> None:
    for relative in paths:
        target = project / relative
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def keep_variants(project: Path, answers: dict[str, Any]) -> None:
    """Rename each chosen variant to its final path and remove the other variants."""
    for relative, option in VARIANTS.items():
        target = project / relative.format(slug=answers["project_slug"])
        chosen = target.with_name(f"{target.stem}.{answers[option]}{target.suffix}")
        for variant in target.parent.glob(f"{target.stem}.*{target.suffix}"):
            if variant == chosen:
                variant.rename(target)
            else:
                variant.unlink()


# Passwords of compose.yaml's services, which compose reads from .env: the
# service's code never reads them, so they are not in .env.example.
COMPOSE_SECRETS = (
    "# compose.yaml's services (docker compose reads them here; never commit this file).",
    "POSTGRES_PASSWORD={postgres}",
    "RABBITMQ_PASSWORD={rabbitmq}",
)


def write_local_env(project: Path) -> None:
    """Copy .env.example to .env with new random secrets (never committed)."""
    example = (project / ".env.example").read_text()
    secret = secrets.token_urlsafe(50)
    lines = [
        f"DJANGO_SECRET_KEY={secret}" if line.startswith("DJANGO_SECRET_KEY=") else line
        for line in example.splitlines()
    ]
    passwords = {"postgres": secrets.token_urlsafe(24), "rabbitmq": secrets.token_urlsafe(24)}
    lines += ["", *(line.format(**passwords) for line in COMPOSE_SECRETS)]
    env_file = project / ".env"
    env_file.write_text("\n".join(lines) + "\n")
    env_file.chmod(0o600)


def template_commit(repo_dir: str | None) -> str | None:
    """The template's git commit, read locally, so cruft knows what was applied."""
    if not repo_dir or not Path(repo_dir, ".git").exists():
        return None
    result = subprocess.run(
        ["git", "-C", repo_dir, "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or None


# A template cruft can clone from anywhere: a URL (https://, ssh://, git://), git's
# scp-like form (git@host:owner/repo) or cookiecutter's abbreviations (gh:, gl:, bb:).
REMOTE_TEMPLATE = re.compile(r"^(?:(?:https?|ssh|git)://|[\w.-]+@[\w.-]+:|(?:gh|gl|bb):)")


def is_local(template: str) -> bool:
    return not REMOTE_TEMPLATE.match(template)


def recorded_template(answers: dict[str, Any]) -> str:
    """The template as .cruft.json will name it: a local one by its absolute path."""
    template = str(answers.get("_template", ""))
    repo_dir = answers.get("_repo_dir")
    if is_local(template) and repo_dir:
        return str(Path(repo_dir).resolve())
    return template


def write_answers(project: Path, answers: dict[str, Any]) -> None:
    """Keep the answers in cruft's format unless cruft already wrote them."""
    target = project / ".cruft.json"
    if target.exists():
        return
    commit = template_commit(answers.get("_repo_dir"))
    template = recorded_template(answers)
    kept = {key: value for key, value in answers.items() if not key.startswith("_")}
    kept["_template"] = template
    kept["_commit"] = commit
    record = {
        "template": template,
        "commit": commit,
        "checkout": answers.get("_checkout"),
        "context": {"cookiecutter": kept},
        "directory": None,
    }
    target.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")


def under_cruft(answers: dict[str, Any]) -> bool:
    """cruft (create and update) adds the template's commit to the context; cookiecutter does not."""
    return "_commit" in answers


def parent_command() -> list[str]:
    """The command line of the process that runs this hook (cookiecutter's or cruft's)."""
    cmdline = Path(f"/proc/{os.getppid()}/cmdline")
    if cmdline.exists():
        return cmdline.read_bytes().decode(errors="replace").split("\0")
    listed = subprocess.run(
        ["ps", "-o", "command=", "-p", str(os.getppid())],
        capture_output=True,
        text=True,
        check=False,
    )
    return listed.stdout.split()


def cruft_subcommand(command: list[str]) -> str:
    """The cruft command (create, update, diff ...) in a cruft command line, else ""."""
    for position, word in enumerate(command[:-1]):
        if Path(word).name == "cruft":
            return command[position + 1]
    return ""


def rerendering(answers: dict[str, Any]) -> bool:
    """Whether cruft renders the template to compare versions (update, diff), not to create.

    cruft passes the hook the same context either way, so its command is read
    from its own command line; when that cannot be read, the hook acts as for
    a creation (the next steps are printed, harmless in an update).
    """
    return under_cruft(answers) and cruft_subcommand(parent_command()) in ("update", "diff")


def git(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=False)


def first_commit(project: Path, answers: dict[str, Any]) -> str:
    """Make the project a repository with one commit; say why not when it is skipped.

    Never fails generation: without git, inside another repository, or when the
    commit is refused (a signing key missing, say), the project is still complete.
    """
    if not answers.get("git_init") or under_cruft(answers):
        return ""
    if shutil.which("git") is None:
        return "git is not installed: no repository was made."
    if git(project, "rev-parse", "--is-inside-work-tree").stdout.strip() == "true":
        return "The project is inside another git repository: no repository of its own was made."
    # The author's answers stand in for an identity git does not know yet.
    identity: list[str] = []
    for key, answer in (("user.name", "author_name"), ("user.email", "author_email")):
        if not git(project, "config", "--get", key).stdout.strip():
            identity += ["-c", f"{key}={answers[answer]}"]
    for step, args in (
        ("init", ("init", "--quiet", "--initial-branch=main")),
        ("add", ("add", "--all")),
        ("commit", (*identity, "commit", "--quiet", "--message", "Generated from the template")),
    ):
        result = git(project, *args)
        if result.returncode != 0:
            return f"git {step} failed, the project has no first commit: {result.stderr.strip()}"
    return ""


LOCAL_TEMPLATE = (
    "The template was given as a local path, which .cruft.json records ({template}): CI's "
    "cruft check and the template-update job cannot reach it. Give its URL instead "
    "(cruft create https://github.com/<owner>/<template>, or git@github.com:<owner>/<template>.git), "
    'or set "template" in .cruft.json to that URL.'
)


def next_steps(answers: dict[str, Any], git_problem: str) -> str:
    steps = [f"cd {answers['project_slug']}"]
    if under_cruft(answers) and answers.get("git_init"):
        # cruft writes .cruft.json after this hook: the first commit must come after it.
        steps.append('git init && git add --all && git commit -m "Generated from the template"')
    steps += ["make setup", "make migrate"]
    if answers.get("include_example_app"):
        steps.append(".venv/bin/python manage.py generate_catalog   # demo data for the shop")
    steps.append(".venv/bin/python manage.py createsuperuser   # an admin user for /admin/")
    # Last: it serves until stopped.
    steps.append("make run      # http://127.0.0.1:8000 (make run PORT=8001)")
    lines = [f"Generated {answers['project_slug']}/.", *([git_problem] if git_problem else [])]
    template = recorded_template(answers)
    if is_local(template):
        lines.append(LOCAL_TEMPLATE.format(template=template))
    lines += ["Next steps:", *(f"  {step}" for step in steps)]
    lines.append("README.md has the map: its 'Where things live' table.")
    return "\n".join(lines)


def main(answers: dict[str, Any], project: Path) -> None:
    remove_paths(project, paths_to_remove(answers))
    keep_variants(project, answers)
    write_local_env(project)
    if not under_cruft(answers):
        write_answers(project, answers)
    if not rerendering(answers):
        print(next_steps(answers, first_commit(project, answers)))


if __name__ == "__main__":
    main(json.loads(r"""{{ cookiecutter | tojson }}"""), Path.cwd())
