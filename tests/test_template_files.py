"""Jinja stays in file names and small values: no long branches threaded through code files.

A code file that differs by option more than a few lines ships once per value
(hooks/post_gen_project.py, VARIANTS) instead of carrying the branches.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.template import TEMPLATE

PROJECT_TEMPLATE = TEMPLATE / "{{cookiecutter.project_slug}}"
CODE_SUFFIXES = {".py", ".toml", ".yaml", ".yml"}
CODE_NAMES = {"Makefile", "Dockerfile"}
MAX_BLOCK_LINES = 5
# A Jinja expression in a comment longer than this is prose with branches in it.
MAX_COMMENT_EXPRESSION = 60

TAG = re.compile(r"\{%-?\s*(if|endif)\b")
EXPRESSION = re.compile(r"\{\{.*?\}\}")
COMMENT = re.compile(r"(^|\s)(#|;)")


def code_files() -> list[Path]:
    return [
        path
        for path in sorted(PROJECT_TEMPLATE.rglob("*"))
        if path.is_file() and (path.suffix in CODE_SUFFIXES or path.name in CODE_NAMES)
    ]


def long_blocks(text: str) -> list[tuple[int, int]]:
    """(first, last) line numbers of each {% if %} ... {% endif %} with more than 5 lines inside."""
    found: list[tuple[int, int]] = []
    opened: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for tag in TAG.finditer(line):
            if tag.group(1) == "if":
                opened.append(number)
            else:
                start = opened.pop()
                if number - start - 1 > MAX_BLOCK_LINES:
                    found.append((start, number))
    return found


def long_comment_expressions(text: str) -> list[int]:
    """Line numbers of comments that carry a long Jinja expression (a ternary in prose)."""
    found: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        comment = COMMENT.search(line)
        if comment is None:
            continue
        for expression in EXPRESSION.finditer(line, comment.start()):
            if len(expression.group(0)) > MAX_COMMENT_EXPRESSION:
                found.append(number)
    return found


def test_the_checks_find_what_they_look_for() -> None:
    block = "{% if a %}\n" + "x = 1\n" * 6 + "{% endif %}\n"
    assert long_blocks(block) == [(1, 8)]
    assert long_blocks("{% if a %}\n" + "x = 1\n" * 5 + "{% endif %}\n") == []
    ternary = "# reuse comes from {{ 'PgBouncer' if cookiecutter.x == 'y' else 'the pool, or nothing at all' }}\n"
    assert long_comment_expressions(ternary) == [1]
    assert long_comment_expressions("x = '{{ cookiecutter.project_slug }}'  # the slug\n") == []


def test_no_code_file_has_a_long_jinja_block() -> None:
    files = code_files()
    assert len(files) > 50
    offenders = [
        f"{path.relative_to(PROJECT_TEMPLATE)}:{start}-{end}"
        for path in files
        for start, end in long_blocks(path.read_text())
    ]
    assert offenders == [], (
        f"{{% if %}} blocks longer than {MAX_BLOCK_LINES} lines: ship one file per variant "
        "(VARIANTS in hooks/post_gen_project.py) instead"
    )


def test_no_comment_carries_a_long_jinja_expression() -> None:
    offenders = [
        f"{path.relative_to(PROJECT_TEMPLATE)}:{number}"
        for path in code_files()
        for number in long_comment_expressions(path.read_text())
    ]
    assert offenders == []
