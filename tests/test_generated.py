"""Generated projects install and pass their own checks against the real services.

Each combination below is built in its own virtual environment and runs exactly
what its README calls passing: make setup, lint, check and test. Together the
combinations cover every value of every option at least once. Where the
benchmarks are included, a short `make loadtest` runs too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.template import OPTIONS, combination_id, generate

pytestmark = pytest.mark.services

COVERING = [
    {
        "python_version": "3.12",
        "database_pooling": "pgbouncer",
        "celery_broker": "redis",
        "include_example_app": True,
        "include_benchmarks": True,
        "use_sentry": False,
        "ci": "github",
    },
    {
        "python_version": "3.11",
        "database_pooling": "django_pool",
        "celery_broker": "rabbitmq",
        "include_example_app": True,
        "include_benchmarks": False,
        "use_sentry": True,
        "ci": "gitlab",
    },
    {
        "python_version": "3.13",
        "database_pooling": "persistent",
        "celery_broker": "redis",
        "include_example_app": False,
        "include_benchmarks": False,
        "use_sentry": True,
        "ci": "none",
    },
    {
        "python_version": "3.12",
        "database_pooling": "persistent",
        "celery_broker": "rabbitmq",
        "include_example_app": True,
        "include_benchmarks": True,
        "use_sentry": False,
        "ci": "github",
    },
]
STEP_TIMEOUT = 600
TIMINGS: list[str] = []  # printed per combination, quoted in release notes
PROJECT_VARIABLE_PREFIXES = (
    "DJANGO_",
    "DATABASE_",
    "REDIS_",
    "CACHE_",
    "CELERY_",
    "SENTRY_",
    "HTTP_",
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "PYTEST_",
)


def test_covering_set_covers_every_value() -> None:
    for option, values in OPTIONS.items():
        assert {answers[option] for answers in COVERING} == set(values), option


def find_python(version: str) -> str:
    """The interpreter for a python_version answer: pyenv's build, or one on PATH."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for candidate in sorted(
        pyenv_root.glob(f"versions/{version}.*/bin/python{version}"), reverse=True
    ):
        return str(candidate)
    for directory in ("/usr/local/bin", "/usr/bin"):
        candidate = Path(directory) / f"python{version}"
        if candidate.exists():
            return str(candidate)
    found = shutil.which(f"python{version}")
    if found is None:
        pytest.fail(
            f"Python {version} is needed for this combination; install it (pyenv install {version})."
        )
    return found


def run(step: str, project: Path, env: dict[str, str], *args: str) -> str:
    started = time.monotonic()
    result = subprocess.run(
        ["make", step, *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"make {step} failed in {project}:\n{output[-12000:]}"
    TIMINGS.append(f"make {step} {time.monotonic() - started:.1f}s")
    return output


@pytest.mark.parametrize("answers", COVERING, ids=combination_id)
def test_generated_project_passes_its_own_checks(
    tmp_path: Path, answers: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    slug = f"svc_{answers['database_pooling']}_{answers['celery_broker']}"
    TIMINGS.clear()
    started = time.monotonic()
    project = generate(tmp_path, project_slug=slug, **answers)
    TIMINGS.append(f"generate {time.monotonic() - started:.1f}s")
    unique = f"{slug}_{os.getpid()}"
    db_port = 6432 if answers["database_pooling"] == "pgbouncer" else 5432
    env = {
        # The machine's own environment (PATH, proxies, CA bundles) minus anything
        # the generated project reads, so the run is not steered from outside.
        **{
            key: value
            for key, value in os.environ.items()
            if not key.startswith(PROJECT_VARIABLE_PREFIXES)
        },
        # A database, a cache namespace and a Celery queue of its own, so runs never collide.
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{db_port}/{unique}",
        "CACHE_KEY_PREFIX": unique,
        "CELERY_TASK_DEFAULT_QUEUE": unique,
    }

    run("setup", project, env, f"PYTHON_BIN={find_python(answers['python_version'])}")
    run("lint", project, env)
    # The deploy checklist with production settings; the project's own
    # tests/support/environments.py supplies the production variables.
    output = run("check", project, env)
    assert output.count("System check identified no issues (0 silenced).") == 2, output
    assert "No changes detected" in output
    assert "Warning" not in output, output

    runs = 2 if answers["database_pooling"] == "pgbouncer" else 1
    for _ in range(
        runs
    ):  # through PgBouncer twice: the second run must drop and recreate test_<db>
        output = run("test", project, env)
        # Only passes: no failure, error, skip, xfail or warning in pytest's summary line.
        summary = re.search(
            r"^=+ (\d+ passed(?:, \d+ deselected)? in [\d.]+s)", output, re.MULTILINE
        )
        assert summary, output[-5000:]
        TIMINGS.append(f"({summary.group(1)})")
    # The production server booted and driven as clients would (tests marked `server`).
    output = run("test-server", project, env)
    summary = re.search(r"^=+ (\d+ passed, \d+ deselected in [\d.]+s)", output, re.MULTILINE)
    assert summary, output[-5000:]
    TIMINGS.append(f"({summary.group(1)})")
    if (project / "benchmarks" / "locustfile.py").exists():
        # A short load run: locust's report, then the route ranking over the server's log.
        output = run("loadtest", project, env, "LOADTEST_SECONDS=4", "LOADTEST_USERS=4")
        aggregated = re.search(r"^\s+Aggregated\s+(\d+)\s+(\d+)\(", output, re.MULTILINE)
        assert aggregated, output[-5000:]
        assert int(aggregated.group(1)) > 0, output[-5000:]
        assert aggregated.group(2) == "0", f"failed requests under load:\n{output[-5000:]}"
        assert "By total time" in output
        assert re.search(r"^api/v1/orders\s+\d+\s+0\s", output, re.MULTILINE), output[-5000:]
        reports = project / "reports" / "loadtest"
        assert {"report.html", "stats_stats.csv", "metrics.txt", "routes.txt"} <= {
            path.name for path in reports.iterdir()
        }
        assert (
            'http_requests_total{method="POST",route="api/v1/orders",status="201"}'
            in (reports / "metrics.txt").read_text()
        )
    with capsys.disabled():
        print(f"\n[{combination_id(answers)}] " + ", ".join(TIMINGS))
