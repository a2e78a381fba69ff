"""A bad answer stops cookiecutter before any file is written, with a message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.template import TEMPLATE

BAD = [
    ("project_slug=Orders-Service", "not a lowercase Python identifier"),
    ("project_slug=django", "would shadow the module 'django'"),
    ("project_slug=test", "would shadow the module 'test'"),
    ("project_slug=json", "would shadow the module 'json'"),
    ("project_name=", "project_name is empty"),
    ("author_email=not-an-email", "is not an email address"),
    # cookiecutter itself refuses a value outside a choice list, naming the choices
    ("python_version=3.10", "3.12"),
    ("database_pooling=pgpool", "pgbouncer"),
    ("celery_broker=sqs", "rabbitmq"),
    ("ci=jenkins", "gitlab"),
]


@pytest.mark.parametrize(("answer", "message"), BAD, ids=[answer for answer, _ in BAD])
def test_bad_answer_fails_and_leaves_nothing(tmp_path: Path, answer: str, message: str) -> None:
    extra = [answer]
    if answer == "project_name=":
        extra.append("project_slug=svc")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            str(TEMPLATE),
            "-o",
            str(tmp_path),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == []
