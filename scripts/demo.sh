#!/usr/bin/env bash
# Generate a project with the default answers into build/ and start it:
# services, virtual environment, database, migrations, demo data, development server.
# Usage: [PORT=8001] bash scripts/demo.sh [answer=value ...]   (PORT defaults to 8000)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
if ! [[ "$PORT" =~ ^[0-9]+$ ]] || [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
  echo "ERROR: PORT=$PORT is not a port number; use 1-65535, e.g. PORT=8001 bash scripts/demo.sh." >&2
  exit 2
fi

bash scripts/services.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
export PATH="$PWD/.venv/bin:$PATH"

# The project's Python: the template's default version where it is installed, else the
# first other one that is (make setup never falls back by itself); an answer given wins.
answers=("$@")
if ! printf '%s\n' "$@" | grep -q '^python_version='; then
  for version in 3.12 3.13 3.11; do
    if "python$version" -c "" 2>/dev/null; then
      answers+=("python_version=$version")
      break
    fi
  done
fi

rm -rf build && mkdir build
cookiecutter --no-input . -o build "${answers[@]}"
cd build/*/
make setup
# make migrate checks the services first; of a PgBouncer already listening on 6432 it
# says whose it is, and refuses one that does not reach this PostgreSQL.
make migrate
# Demo data where the example shop is included (its products, brands and images).
if .venv/bin/python manage.py help generate_catalog >/dev/null 2>&1; then
  .venv/bin/python manage.py generate_catalog --products 100
fi
echo "Demo: http://127.0.0.1:$PORT/api/v1/docs, /api/v1/products, /admin/ (manage.py createsuperuser)"
exec make run PORT="$PORT"
