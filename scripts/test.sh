#!/usr/bin/env bash
# The template's whole test suite: services, tools, then pytest (template tests
# plus generated projects built and checked against the real services).
set -euo pipefail
cd "$(dirname "$0")/.."

phase() { printf '\n== %s (%ss so far)\n' "$1" "$SECONDS"; }

phase "services"
bash scripts/services.sh

phase "tools"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
export PATH="$PWD/.venv/bin:$PATH"

phase "lint (template code)"
ruff check hooks tests scripts
ruff format --check hooks tests scripts

phase "template tests"
# Three processes on two cores: the generated projects' runs wait on their services
# and child processes much of the time. tests/conftest.py keeps the tests that share
# one rendering of every combination on one of them.
.venv/bin/python -m pytest -n 3 "$@"

phase "done"
