"""Shape the generated project after cookiecutter rendered it.

Three jobs, no network access:
1. keep the files of the chosen options: remove those of the others (one
   table, one loop), and of a file shipped once per option value keep the
   chosen variant under its final name (one table, one loop);
2. write a local ``.env`` with a freshly generated SECRET_KEY (git-ignored,
   for local and test use only; production reads its secret from its own env);
3. keep the answers in ``.cruft.json`` so ``cruft update`` can re-apply a later
   version of the template.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

PGBOUNCER_FILES = (
    "deploy/pgbouncer.ini",
    "deploy/pgbouncer.local.ini",
    "deploy/pgbouncer.local.userlist.txt",
    "tests/deploy",
    "scripts/pgbouncer.py",
    "tests/support/pgbouncer.py",
)

DJANGO_POOL_FILES = (
    "tests/config/test_celery_pool.py",
    "tests/config/pool_worker.py",
    "tests/config/pool_worker_settings.py",
)

# (option, value) -> paths removed when the option has that value.
REMOVED_WHEN: dict[tuple[str, object], tuple[str, ...]] = {
    ("include_example_app", False): ("{slug}/shop", "tests/shop", "benchmarks"),
    # The benchmarks measure the example app; without it they go too (above).
    ("include_benchmarks", False): ("benchmarks",),
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
    "{slug}/core/checks/connection_demand.py": "database_pooling",
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


def write_local_env(project: Path) -> None:
    """Copy .env.example to .env with a new random secret (never committed)."""
    example = (project / ".env.example").read_text()
    secret = secrets.token_urlsafe(50)
    lines = [
        f"DJANGO_SECRET_KEY={secret}" if line.startswith("DJANGO_SECRET_KEY=") else line
        for line in example.splitlines()
    ]
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


def write_answers(project: Path, answers: dict[str, Any]) -> None:
    """Keep the answers in cruft's format unless cruft already wrote them."""
    target = project / ".cruft.json"
    if target.exists():
        return
    commit = template_commit(answers.get("_repo_dir"))
    kept = {key: value for key, value in answers.items() if not key.startswith("_")}
    kept["_template"] = answers.get("_template", "")
    kept["_commit"] = commit
    record = {
        "template": answers.get("_template", ""),
        "commit": commit,
        "checkout": answers.get("_checkout"),
        "context": {"cookiecutter": kept},
        "directory": None,
        "skip": [".env"],
    }
    target.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")


def main(answers: dict[str, Any], project: Path) -> None:
    remove_paths(project, paths_to_remove(answers))
    keep_variants(project, answers)
    write_local_env(project)
    write_answers(project, answers)


if __name__ == "__main__":
    main(json.loads(r"""{{ cookiecutter | tojson }}"""), Path.cwd())
