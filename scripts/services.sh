#!/usr/bin/env bash
# Make sure PostgreSQL, Redis, RabbitMQ and PgBouncer (and Chromium, for the browser
# tests) are installed and that the servers listen on 127.0.0.1, starting them where
# they don't. Idempotent.
# Used by scripts/test.sh, scripts/demo.sh and CI. Needs root (or sudo) only
# when something must be installed or started.
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # name port seconds
  local deadline=$((SECONDS + $3))
  until listening "$2"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "ERROR: $1 did not start listening on 127.0.0.1:$2 within $3 s." >&2
      exit 1
    fi
    sleep 1
  done
  echo "$1: listening on 127.0.0.1:$2"
}

missing=()
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v pgbouncer >/dev/null || missing+=(pgbouncer)
command -v rabbitmq-server >/dev/null || missing+=(rabbitmq-server)
command -v make >/dev/null || missing+=(make)
# The generated projects' `make test-browser` drives headless Chromium.
command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
  || command -v google-chrome >/dev/null || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts nothing without systemd; the packages' own daemons stay ours to start.

if ! listening 5432; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  # Loopback only, no password: the tests connect as postgres to 127.0.0.1.
  if ! grep -q "^host all all 127.0.0.1/32 trust" "$hba"; then
    $SUDO sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all postgres trust' "$hba"
  fi
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi
wait_for PostgreSQL 5432 60

# The generated projects' make services base-backs-up this cluster into a streaming
# replica on 127.0.0.1:5433 (their scripts/replica.py): replication connections from
# loopback, as postgres, without a password.
version=$(ls /etc/postgresql | sort -V | tail -n 1)
hba="/etc/postgresql/$version/main/pg_hba.conf"
if [ -f "$hba" ] && ! grep -q "^host replication postgres 127.0.0.1/32 trust" "$hba"; then
  $SUDO sed -i '1i host replication postgres 127.0.0.1/32 trust' "$hba"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main reload
fi

if ! listening 6379; then
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi
wait_for Redis 6379 30

if ! listening 5672; then
  $SUDO rabbitmq-server -detached
fi
wait_for RabbitMQ 5672 120
