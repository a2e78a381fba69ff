#!/usr/bin/env python3
"""A streaming replica of the local PostgreSQL on 127.0.0.1:5433, for the replica tests.

    python scripts/replica.py start   # make services runs it; idempotent
    python scripts/replica.py stop    # make replica-stop

Why a real one: replication lag, a read-only standby and replay paused by a
test (``pg_wal_replay_pause()``) are what the router must cope with, and no
mock or ``TEST: MIRROR`` shows them. ``start`` takes a fresh base backup of the
PostgreSQL behind DATABASE_MIGRATION_URL (``pg_basebackup -R``: standby.signal
and primary_conninfo written for it) into a folder of its own under /tmp, and
runs a second ``postgres`` there, as the postgres user (PostgreSQL refuses
root). A replica already listening on the port is used when it follows the
same primary (same system identifier), and the script says so; anything else
there stops it, naming the difference. The server binaries of the primary's
major version are installed where missing (apt-get, as root or with sudo).
The primary must accept replication connections from 127.0.0.1 (the hint says
the pg_hba.conf line to add).
"""

from __future__ import annotations

import fcntl
import os
import pwd
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from services import PROJECT, listening, read_dotenv, wait_for

from config.settings.development import DEVELOPMENT_DEFAULTS

REPLICA_PORT = int(os.environ.get("REPLICA_PORT", "5433"))
DEFAULT_RUNTIME_DIR = f"/tmp/{{ cookiecutter.project_slug }}-replica-{REPLICA_PORT}"  # noqa: S108
RUNTIME_DIR = Path(os.environ.get("REPLICA_RUNTIME_DIR", DEFAULT_RUNTIME_DIR))
LOCK_FILE = f"/tmp/replica-{REPLICA_PORT}.lock"  # noqa: S108 (one per port, whoever's project)
# The replica's own settings: loopback only, small, a hot standby that readers may use.
REPLICA_CONF = """\
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{runtime}'
hot_standby = on
hot_standby_feedback = on
max_connections = 100
shared_buffers = 16MB
fsync = off
logging_collector = off
"""
REPLICA_HBA = "local all all trust\nhost all all 127.0.0.1/32 trust\n"
REFUSAL = "no pg_hba.conf entry for replication connection"
# What to do when the primary has no pg_hba.conf line for replication connections.
REFUSED = """
The PostgreSQL at {where} refuses replication connections (its pg_hba.conf has no
`replication` line for this client). Allow them, then run make services again:
- PostgreSQL installed on this machine: add this line at the top of the file
  psql -c 'SHOW hba_file' names, then psql -c 'SELECT pg_reload_conf()':
    host replication postgres 127.0.0.1/32 trust
- a PostgreSQL container (compose.yaml's, a CI service): make services adds the
  line itself when POSTGRES_CONTAINER names the container, as CI does
  (.github/workflows/ci.yml); with compose:
    POSTGRES_CONTAINER=$(docker compose ps -q postgres) make services
"""
# Who a server is: the cluster's identity (a replica shares its primary's) and its role.
IDENTITY = "SELECT system_identifier::text, pg_is_in_recovery() FROM pg_control_system()"


def primary_url() -> str:
    """The primary, reached directly (not through PgBouncer), as the settings read it."""
    for name in ("DATABASE_MIGRATION_URL", "DATABASE_URL"):
        for source in (os.environ, read_dotenv(PROJECT / ".env"), DEVELOPMENT_DEFAULTS):
            if source.get(name):
                return source[name]
    return ""


def identity(url: str, **overrides: object) -> tuple[str, bool]:
    import psycopg  # the project's environment has it

    where = {"conninfo": url, "dbname": "postgres", "connect_timeout": 5, **overrides}
    with psycopg.connect(**where, autocommit=True) as connection:  # type: ignore[arg-type]
        row = connection.execute(IDENTITY).fetchone() or ("", False)
    return str(row[0]), bool(row[1])


def binaries(url: str) -> Path:
    """The bin folder of the primary's major version, installed when it is missing."""
    import psycopg

    with psycopg.connect(url, dbname="postgres", connect_timeout=5) as connection:
        major = connection.info.server_version // 10000
    folder = Path(f"/usr/lib/postgresql/{major}/bin")
    if not (folder / "pg_basebackup").exists() or not (folder / "postgres").exists():
        install(major)
    return folder


def install(major: int) -> None:
    """postgresql-<major> from apt: the distribution's, else PostgreSQL's own (PGDG) repository.

    Only the binaries: no cluster is created or started (one would take the
    primary's port where CI forwards it to a container).
    """
    print(f"Installing the PostgreSQL {major} server binaries (postgresql-{major})")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    if (sudo and shutil.which("sudo") is None) or shutil.which("apt-get") is None:
        sys.exit(
            f"ERROR: the PostgreSQL {major} server binaries (/usr/lib/postgresql/{major}/bin) "
            f"are missing and cannot be installed here: install postgresql-{major}, then make "
            "services again."
        )
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}

    def apt(*arguments: str) -> None:
        subprocess.run(
            [*sudo, "apt-get", *arguments, "-y", "-qq", "--no-install-recommends"],
            check=True,
            env=environment,
        )

    apt("update")
    apt("install", "postgresql-common", "ca-certificates")
    candidate = subprocess.run(
        ["apt-cache", "policy", f"postgresql-{major}"], capture_output=True, text=True, check=False
    ).stdout
    if "Candidate:" not in candidate or "Candidate: (none)" in candidate:
        # Not in this distribution (Debian 12 has 15 only): PostgreSQL's apt repository.
        subprocess.run(
            [*sudo, "/usr/share/postgresql-common/pgdg/apt.postgresql.org.sh", "-y"],
            check=True,
            env=environment,
            stdout=subprocess.DEVNULL,
        )
    # No "main" cluster (its start would fail on a port CI forwards): off for this
    # install only, then the machine's own choice back.
    conftool = [*sudo, "pg_conftool", "/etc/postgresql-common/createcluster.conf"]
    before = subprocess.run(
        [*conftool, "show", "-s", "create_main_cluster"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    subprocess.run([*conftool, "set", "create_main_cluster", "off"], check=True)
    try:
        apt("install", f"postgresql-{major}")
    finally:
        if before:
            subprocess.run([*conftool, "set", "create_main_cluster", before], check=True)
        else:
            subprocess.run([*conftool, "remove", "create_main_cluster"], check=True)


def run_as_postgres(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    """Run ``command`` as the postgres user when we are root (PostgreSQL refuses root).

    From ``/``: the caller's folder (a project under root's private /tmp/pytest-of-root,
    say) may be closed to the postgres user, and pg_ctl refuses to start from there.
    """
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, cwd="/", **options)  # noqa: PLW1510 (check= is the caller's)


def base_backup(folder: Path, url: str, data: Path) -> subprocess.CompletedProcess[str]:
    # -d: the whole URL, so a password (compose's PostgreSQL) reaches pg_basebackup
    # and, through -R, the replica's primary_conninfo.
    return run_as_postgres(
        [
            str(folder / "pg_basebackup"),
            *("-d", url, "-D", str(data), "-R", "-X", "stream", "-c", "fast"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def allow_replication(container: str, url: str) -> None:
    """Let replication connections into the PostgreSQL container POSTGRES_CONTAINER names.

    The official image allows them from inside the container only; CI's service
    container and compose's reach this machine through Docker's network. The
    line asks for a password where the URL has one (compose), as its others do.
    """
    method = "scram-sha-256" if urlsplit(url).password else "trust"
    line = f"host replication all all {method}"
    print(f"Replica: allowing replication connections in container {container} ({line})")
    hba = '"$PGDATA/pg_hba.conf"'
    for command in (
        f"grep -qxF '{line}' {hba} || echo '{line}' >> {hba}",
        'pg_ctl reload -D "$PGDATA"',
    ):
        subprocess.run(
            ["docker", "exec", "-u", "postgres", container, "sh", "-c", command],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def take_base_backup(folder: Path, url: str, data: Path) -> None:
    parts = urlsplit(url)
    if data.parent.exists():
        shutil.rmtree(data.parent)
    data.parent.mkdir(parents=True)
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(data.parent, user.pw_uid, user.pw_gid)
    backup = base_backup(folder, url, data)
    container = os.environ.get("POSTGRES_CONTAINER", "")
    if backup.returncode != 0 and REFUSAL in backup.stderr and container:
        allow_replication(container, url)
        deadline = time.monotonic() + 10  # the reload is asynchronous
        while backup.returncode != 0 and REFUSAL in backup.stderr:
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
            shutil.rmtree(data, ignore_errors=True)
            backup = base_backup(folder, url, data)
    if backup.returncode != 0:
        hint = REFUSED.format(where=f"{parts.hostname}:{parts.port or 5432}")
        sys.exit(
            f"ERROR: pg_basebackup failed: {backup.stderr.strip()}"
            + (hint if REFUSAL in backup.stderr else "")
        )
    # Debian keeps postgresql.conf and pg_hba.conf outside the data folder: write the replica's own.
    (data / "postgresql.conf").write_text(
        REPLICA_CONF.format(port=REPLICA_PORT, runtime=data.parent)
    )
    (data / "pg_hba.conf").write_text(REPLICA_HBA)
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in (data / "postgresql.conf", data / "pg_hba.conf"):
            os.chown(path, user.pw_uid, user.pw_gid)


@contextmanager
def one_start_at_a_time() -> Iterator[None]:
    """Hold the port's lock while starting: two projects' ``make services`` at once would
    both find the port free, and the second replica would fail to bind it. Read-only, so
    a lock file another user created still locks."""
    descriptor = os.open(LOCK_FILE, os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def start() -> None:
    with one_start_at_a_time():
        start_unless_running()


def start_unless_running() -> None:
    url = primary_url()
    if listening(REPLICA_PORT):
        primary = identity(url)
        found = identity(url, host="127.0.0.1", port=REPLICA_PORT)
        if found != (primary[0], True):
            sys.exit(
                f"ERROR: something on 127.0.0.1:{REPLICA_PORT} is not a streaming replica of the "
                f"PostgreSQL of DATABASE_MIGRATION_URL (system {found[0]}, in recovery: "
                f"{found[1]}). Stop it (or set REPLICA_PORT), then make services again."
            )
        print(
            f"Replica: already listening on 127.0.0.1:{REPLICA_PORT}, following this primary: using it."
        )
        return
    folder = binaries(url)
    data = RUNTIME_DIR / "data"
    started = time.monotonic()
    take_base_backup(folder, url, data)
    log = RUNTIME_DIR / "replica.log"
    run_as_postgres(
        [str(folder / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "30", "start"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    if not wait_for(REPLICA_PORT, seconds=30):
        sys.exit(f"ERROR: the replica did not start; see {log}.")
    print(
        f"Replica: started on 127.0.0.1:{REPLICA_PORT} in {time.monotonic() - started:.1f} s "
        f"(data and log: {RUNTIME_DIR})"
    )


def stop() -> None:
    data = RUNTIME_DIR / "data"
    if not (data / "postmaster.pid").exists():
        print(f"Replica: not running from {RUNTIME_DIR}.")
        return
    url = primary_url()
    folder = binaries(url)
    run_as_postgres(
        [str(folder / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    shutil.rmtree(RUNTIME_DIR)
    print(f"Replica: stopped, {RUNTIME_DIR} removed.")


if __name__ == "__main__":
    {"start": start, "stop": stop}[sys.argv[1] if len(sys.argv) > 1 else "start"]()
