#!/usr/bin/env python3
"""Start PgBouncer on 127.0.0.1:6432 from deploy/pgbouncer.ini, idempotently.

Production's file with the loopback-only overrides of deploy/pgbouncer.local.ini
appended (trust, 127.0.0.1); the pid, log and auth paths rewritten to a private
runtime directory. A PgBouncer already listening there (this project's from an
earlier run, another project's, compose's) is used only when it reaches the same
PostgreSQL as DATABASE_MIGRATION_URL, and the script says which one it uses;
otherwise it stops, naming the difference.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from services import PROJECT, listening, read_dotenv, wait_for

from config.settings.development import DEVELOPMENT_DEFAULTS

PGBOUNCER_PORT = 6432
# Sockets and pid file of the local PgBouncer (a per-project folder under /tmp).
DEFAULT_RUNTIME_DIR = "/tmp/{{ cookiecutter.project_slug }}-pgbouncer"  # noqa: S108
RUNTIME_DIR = Path(os.environ.get("PGBOUNCER_RUNTIME_DIR", DEFAULT_RUNTIME_DIR))


def with_overrides(config: str, overrides: str) -> str:
    """``config`` with each ``key = value`` line of ``overrides`` in place of its own.

    (PgBouncer would reset every setting on a second [pgbouncer] header.)
    """
    for line in overrides.splitlines():
        key, equals, _ = line.partition("=")
        if not equals or line.lstrip().startswith((";", "[")):
            continue
        pattern = re.compile(rf"^{re.escape(key.strip())}\s*=.*$", re.MULTILINE)
        config, found = pattern.subn(line.strip(), config)
        if not found:
            raise SystemExit(
                f"ERROR: {key.strip()} of pgbouncer.local.ini is not in pgbouncer.ini."
            )
    return config


def start(config: str, userlist: str, runtime_dir: Path, port: int) -> None:
    """Run PgBouncer in the background from ``config`` with ``userlist`` on 127.0.0.1:``port``.

    The files go to ``runtime_dir``; as root, PgBouncer (which refuses to run as
    root) runs as postgres, the owner of that directory. Exits naming the log when
    PgBouncer does not listen within 10 s.
    """
    binary = shutil.which("pgbouncer")
    if binary is None:
        sys.exit("ERROR: PgBouncer is not installed. Install it with 'apt-get install pgbouncer'.")
    runtime_dir.mkdir(parents=True, exist_ok=True)
    replacements = {
        "listen_port = 6432": f"listen_port = {port}",
        "auth_file = /etc/pgbouncer/userlist.txt": f"auth_file = {runtime_dir}/userlist.txt",
        "pidfile = /var/run/pgbouncer/pgbouncer.pid": f"pidfile = {runtime_dir}/pgbouncer.pid",
        "logfile = /var/log/pgbouncer/pgbouncer.log": f"logfile = {runtime_dir}/pgbouncer.log",
    }
    for old, new in replacements.items():
        config = config.replace(old, new)
    (runtime_dir / "pgbouncer.ini").write_text(config)
    (runtime_dir / "userlist.txt").write_text(userlist)
    (runtime_dir / "pgbouncer.pid").unlink(missing_ok=True)
    command = [binary, "-d", str(runtime_dir / "pgbouncer.ini")]
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in (runtime_dir, *runtime_dir.iterdir()):
            os.chown(path, user.pw_uid, user.pw_gid)
        command[1:1] = ["-u", "postgres"]
    subprocess.run(command, check=True)
    if not wait_for(port, seconds=10):
        sys.exit(f"ERROR: PgBouncer did not start; see {runtime_dir}/pgbouncer.log.")


def stop(runtime_dir: Path) -> None:
    """Stop the PgBouncer that ``start`` ran in ``runtime_dir``."""
    pid_file = runtime_dir / "pgbouncer.pid"
    if pid_file.exists():
        os.kill(int(pid_file.read_text()), signal.SIGTERM)


# Who a PostgreSQL server is: its port and when it started (both readable by any role).
IDENTITY = "SELECT current_setting('port'), pg_postmaster_start_time()::text"


def server_identity(url: str, **overrides: Any) -> tuple[str, str]:
    """(port, start time) of the PostgreSQL behind ``url``, asked over the maintenance database."""
    import psycopg  # the project's environment has it; `start` and `stop` need it not

    where = {"conninfo": url, "dbname": "postgres", "connect_timeout": 5, **overrides}
    with psycopg.connect(**where, autocommit=True) as connection:
        port, started = connection.execute(IDENTITY).fetchone() or ("", "")
    return str(port), str(started)


def running_pgbouncer(port: int, database_url: str, direct_url: str, runtime_dir: Path) -> str:
    """Say which PgBouncer listens on ``port``; exit when it does not reach ``direct_url``'s PostgreSQL.

    Why: a PgBouncer left by another project or pointing at another cluster
    would serve this project's tests and migrations from the wrong server, or
    fail them later with a confusing error.
    """
    import psycopg

    try:
        behind = server_identity(database_url, host="127.0.0.1", port=port)
    except psycopg.Error as error:
        sys.exit(
            f"ERROR: something listens on 127.0.0.1:{port}, but this project cannot use it as "
            f"its PgBouncer: {str(error).strip()}\nStop it (or free the port), then run make "
            "services again."
        )
    direct = server_identity(direct_url)
    if behind != direct:
        sys.exit(
            f"ERROR: the PgBouncer on 127.0.0.1:{port} reaches another PostgreSQL (port "
            f"{behind[0]}, up since {behind[1]}) than DATABASE_MIGRATION_URL (port {direct[0]}, "
            f"up since {direct[1]}). Stop it (or free the port), then run make services again."
        )
    pid_file = runtime_dir / "pgbouncer.pid"
    owner = (
        f"this project's, started earlier (pid {pid_file.read_text().strip()})"
        if pid_file.exists()
        else "not started by this project (another project's, the system's or compose's)"
    )
    return (
        f"PgBouncer: already listening on 127.0.0.1:{port}, {owner}; it reaches the "
        f"PostgreSQL of DATABASE_MIGRATION_URL (port {direct[0]}, up since {direct[1]}): using it."
    )


def setting(name: str) -> str:
    """A variable as the settings read it: the environment, then .env, then the defaults."""
    for source in (os.environ, read_dotenv(PROJECT / ".env"), DEVELOPMENT_DEFAULTS):
        if source.get(name):
            return source[name]
    return ""


def start_pgbouncer() -> None:
    """The local PgBouncer: production's file, the loopback overrides, no passwords."""
    if listening(PGBOUNCER_PORT):
        direct_url = setting("DATABASE_MIGRATION_URL") or setting("DATABASE_URL")
        print(running_pgbouncer(PGBOUNCER_PORT, setting("DATABASE_URL"), direct_url, RUNTIME_DIR))
        return
    deploy = PROJECT / "deploy"
    config = with_overrides(
        (deploy / "pgbouncer.ini").read_text(), (deploy / "pgbouncer.local.ini").read_text()
    )
    start(
        config, (deploy / "pgbouncer.local.userlist.txt").read_text(), RUNTIME_DIR, PGBOUNCER_PORT
    )
    print(f"PgBouncer: started on 127.0.0.1:{PGBOUNCER_PORT} (log: {RUNTIME_DIR}/pgbouncer.log)")


REPLICA_PGBOUNCER_PORT = 6433
REPLICA_RUNTIME_DIR = Path(f"{RUNTIME_DIR}-replica")


def start_replica_pgbouncer(replica_port: int) -> None:
    """The replicas' pool (deploy/pgbouncer.replica.ini) in front of the local replica.

    A PgBouncer already on its port is used when it reaches that replica.
    """
    direct = f"postgres://postgres@127.0.0.1:{replica_port}/postgres"
    if listening(REPLICA_PGBOUNCER_PORT):
        import psycopg

        try:
            behind = server_identity(direct, port=REPLICA_PGBOUNCER_PORT)
        except psycopg.Error as error:
            sys.exit(
                f"ERROR: something listens on 127.0.0.1:{REPLICA_PGBOUNCER_PORT}, but it is not a "
                f"PgBouncer in front of the replica: {str(error).strip()}"
            )
        if behind != server_identity(direct):
            sys.exit(
                f"ERROR: the PgBouncer on 127.0.0.1:{REPLICA_PGBOUNCER_PORT} reaches another "
                f"PostgreSQL (port {behind[0]}) than the replica on {replica_port}."
            )
        print(
            f"PgBouncer (replicas): already listening on 127.0.0.1:{REPLICA_PGBOUNCER_PORT}: using it."
        )
        return
    deploy = PROJECT / "deploy"
    config = (deploy / "pgbouncer.ini").read_text()
    for overrides in ("pgbouncer.local.ini", "pgbouncer.replica.ini"):
        config = with_overrides(config, (deploy / overrides).read_text())
    start(
        config,
        (deploy / "pgbouncer.local.userlist.txt").read_text(),
        REPLICA_RUNTIME_DIR,
        REPLICA_PGBOUNCER_PORT,
    )
    print(
        f"PgBouncer (replicas): started on 127.0.0.1:{REPLICA_PGBOUNCER_PORT} "
        f"(log: {REPLICA_RUNTIME_DIR}/pgbouncer.log)"
    )


if __name__ == "__main__":
    start_pgbouncer()
    start_replica_pgbouncer(int(os.environ.get("REPLICA_PORT", "5433")))
