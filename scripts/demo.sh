#!/usr/bin/env bash
# Generate a project with the default answers into build/ and start it:
# services, virtual environment, database, migrations, development server.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
export PATH="$PWD/.venv/bin:$PATH"

rm -rf build && mkdir build
cookiecutter --no-input . -o build "$@"
cd build/*/
make setup
exec make run
