#!/usr/bin/env python3
"""make template-diff: what `cruft update` would change in this project, changing nothing.

`cruft diff` answers another question: how the project differs from the
template version it was made from or last updated to, so the team's own edits
show reversed, as if the template would undo them. Here the update is applied
to a throwaway git worktree of the last commit (HEAD) and git shows what it
changed: exactly what `cruft update` (with the same CHECKOUT) would change,
conflicts as *.rej files. Needs git and cruft (on PATH, else run by uv).

Usage: python3 scripts/template_diff.py [CHECKOUT]   (a commit or other git ref of the template)
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CRUFT_REQUIREMENT = "cruft>=2.16,<3"


def cruft_command() -> list[str]:
    """CRUFT when set, else cruft on PATH, else cruft run by the project's uv or uvx."""
    if os.environ.get("CRUFT"):
        return shlex.split(os.environ["CRUFT"])
    if shutil.which("cruft"):
        return ["cruft"]
    uv = PROJECT / ".venv" / "bin" / "uv"
    if uv.exists():
        return [str(uv), "tool", "run", "--from", CRUFT_REQUIREMENT, "cruft"]
    if shutil.which("uvx"):
        return ["uvx", "--from", CRUFT_REQUIREMENT, "cruft"]
    sys.exit(
        "ERROR: cruft is not installed: `uv tool install cruft` (or make setup, whose uv runs it)."
    )


def git(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )


def main(checkout: str | None) -> None:
    prefix = git("rev-parse", "--show-prefix")
    if prefix.returncode != 0 or git("rev-parse", "--verify", "--quiet", "HEAD").returncode:
        sys.exit(
            "ERROR: the project is not a git repository with a commit yet: "
            'git init && git add --all && git commit -m "Generated from the template"'
        )
    with tempfile.TemporaryDirectory(prefix="template-diff-") as scratch:
        worktree = Path(scratch) / "project"
        added = git("worktree", "add", "--detach", "--quiet", str(worktree), "HEAD")
        if added.returncode != 0:
            sys.exit(f"ERROR: git worktree add failed: {added.stderr.strip()}")
        try:
            project = worktree / prefix.stdout.strip()
            update = [*cruft_command(), "update", "--skip-apply-ask", "--allow-untracked-files"]
            if checkout:
                update += ["--checkout", checkout]
            updated = subprocess.run(
                update, cwd=project, capture_output=True, text=True, check=False, timeout=600
            )
            if updated.returncode != 0:
                sys.exit(f"ERROR: cruft update failed:\n{updated.stdout}{updated.stderr}")
            git("add", "--all", cwd=project)
            changes = git("diff", "--cached", "HEAD", "--", ".", cwd=project).stdout
        finally:
            git("worktree", "remove", "--force", str(worktree))
    if changes:
        print(changes, end="")
    else:
        print("No change: the project is on that template version already.")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] else None)
