"""The production image's Dockerfile read without a Docker engine: its instructions, its ENV.

Tests check what the image holds (tests/deploy/test_dockerfile.py) and start
processes the way the image would, with the environment its ENV instructions
set (tests/core/worker/test_shutdown.py), so a line removed from the
Dockerfile fails a test of behaviour, not only a test that reads the file.
"""

from __future__ import annotations

import functools
import re
import shlex
from dataclasses import dataclass

from config.env import BASE_DIR


@dataclass(frozen=True)
class Instruction:
    name: str
    arguments: str
    stage: int


def read_instructions(text: str) -> list[Instruction]:
    """One per instruction: comments dropped, continued lines joined, numbered by FROM."""
    found: list[Instruction] = []
    logical = ""
    stage = -1
    for line in text.splitlines():
        if not logical and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            logical += line.rstrip()[:-1] + " "
            continue
        logical += line
        name, _, arguments = logical.strip().partition(" ")
        stage += name.upper() == "FROM"
        found.append(Instruction(name.upper(), arguments.strip(), stage))
        logical = ""
    return found


INSTRUCTIONS = read_instructions((BASE_DIR / "Dockerfile").read_text())
FINAL = [i for i in INSTRUCTIONS if i.stage == max(i.stage for i in INSTRUCTIONS)]
# Set by the image for its own file system: a process started here keeps this machine's.
CONTAINER_PATHS = ("PATH",)


def image_environment(**overrides: str) -> dict[str, str]:
    """What the final stage's ENV instructions set (but PATH), then ``overrides``.

    A test starting a process as the image would passes these variables, and
    overrides what points inside the container (a directory, the settings module).
    """
    environment: dict[str, str] = {}
    for instruction in FINAL:
        if instruction.name != "ENV":
            continue
        for assignment in shlex.split(instruction.arguments):
            name, separator, value = assignment.partition("=")
            if not separator:
                raise ValueError(f"ENV {instruction.arguments!r}: write ENV NAME=value")
            environment[name] = value
    for name in CONTAINER_PATHS:
        environment.pop(name, None)
    return {**environment, **overrides}


@functools.cache
def _dockerignore() -> tuple[str, ...]:
    lines = (BASE_DIR / ".dockerignore").read_text().splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def build_context_ignores(path: str) -> bool:
    """Whether the builder leaves ``path`` (relative) out of the image's context.

    As .dockerignore is read: the last pattern matching the path or a parent wins.
    """
    result = False
    for pattern in _dockerignore():
        negated = pattern.startswith("!")
        body = pattern.removeprefix("!").strip("/")
        regex = "".join(
            ".*" if part == "**" else "[^/]*" if part == "*" else re.escape(part)
            for part in re.split(r"(\*\*|\*)", body)
        )
        parents = ["/".join(path.split("/")[: n + 1]) for n in range(path.count("/") + 1)]
        if any(re.fullmatch(regex, candidate) for candidate in parents):
            result = not negated
    return result
