"""Each server the benchmarks start passes the production start-up, baselines included.

The baselines leave out what production requires (all middleware, the cache's
circuit breaker, connection reuse) and silence exactly the checks that require
it: a new check that a baseline trips would otherwise stop its server, and
``make bench`` with it, where nothing else runs them.
"""

import subprocess
import sys

import pytest

from benchmarks.load import benchmark_env

from config.env import BASE_DIR

START = "import django; django.setup(); from config import startup; startup.start('wsgi')"


@pytest.mark.processes
@pytest.mark.parametrize(
    "variant",
    [
        {},
        {"BENCH_MIDDLEWARE": "none"},
        {"BENCH_MIDDLEWARE": "django"},
        {"BENCH_CACHE_BREAKER": "off"},
        {"BENCH_CONNECTION_PER_REQUEST": "1"},
        # benchmarks/tracing.py's servers with tracing on (nothing listens on port 9).
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "OTEL_TRACES_SAMPLER_ARG": "0.1"},
    ],
    ids=lambda variant: ",".join(f"{key}={value}" for key, value in variant.items()) or "stack",
)
def test_each_benchmark_server_starts(variant: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", START],
        cwd=BASE_DIR,
        env=benchmark_env("bench_start", **variant),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WARNINGS" not in result.stderr, result.stderr[-3000:]
