"""Re-lock the generated project's dependencies after a change to its pyproject.toml.

The template ships one whole lock per use_sentry value, beside the generated
project's files ({{cookiecutter.project_slug}}/uv.False.lock and uv.True.lock: sentry-sdk
is the only dependency that changes); the post-generation hook keeps the chosen
one as uv.lock. Each is made here by rendering the template with that answer,
running `uv lock` in the render, and writing the lock back with the project's
name put back as its Jinja expression. tests/test_shipping.py fails while a
shipped lock is out of date with pyproject.toml.

    .venv/bin/python scripts/relock.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
PROJECT_TEMPLATE = TEMPLATE / "{{cookiecutter.project_slug}}"
SLUG = "svc"
# How the lock names the project: its distribution name, from the slug.
LOCKED_NAME = "{{ cookiecutter.project_slug | replace('_', '-') }}"


def relock(use_sentry: bool, output: Path) -> None:
    project = Path(
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            extra_context={"project_slug": SLUG, "use_sentry": use_sentry, "git_init": False},
            output_dir=str(output),
        )
    )
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"
    subprocess.run([uv, "lock"], cwd=project, check=True, timeout=600)
    locked = (project / "uv.lock").read_text()
    if locked.count(f'\nname = "{SLUG}"\n') != 1:
        sys.exit(f"The lock does not name the project {SLUG!r} exactly once; nothing written.")
    shipped = locked.replace(f'\nname = "{SLUG}"\n', f'\nname = "{LOCKED_NAME}"\n')
    (PROJECT_TEMPLATE / f"uv.{use_sentry}.lock").write_text(shipped)
    print(f"Wrote {{{{cookiecutter.project_slug}}}}/uv.{use_sentry}.lock")


def main() -> None:
    for use_sentry in (False, True):
        with tempfile.TemporaryDirectory() as directory:
            relock(use_sentry, Path(directory))


if __name__ == "__main__":
    main()
