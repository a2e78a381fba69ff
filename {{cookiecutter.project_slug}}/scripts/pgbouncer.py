#!/usr/bin/env python3
"""Start PgBouncer on 127.0.0.1:6432 from deploy/pgbouncer.ini, idempotently.

Production's file with the loopback-only overrides of deploy/pgbouncer.local.ini
appended (trust, 127.0.0.1); the pid, log and auth paths rewritten to a private
runtime directory. An already listening PgBouncer is left alone.
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

from services import listening, wait_for

PROJECT = Path(__file__).resolve().parent.parent
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


def start_pgbouncer() -> None:
    """The local PgBouncer: production's file, the loopback overrides, no passwords."""
    if listening(PGBOUNCER_PORT):
        print(f"PgBouncer: already listening on 127.0.0.1:{PGBOUNCER_PORT}")
        return
    deploy = PROJECT / "deploy"
    config = with_overrides(
        (deploy / "pgbouncer.ini").read_text(), (deploy / "pgbouncer.local.ini").read_text()
    )
    start(
        config, (deploy / "pgbouncer.local.userlist.txt").read_text(), RUNTIME_DIR, PGBOUNCER_PORT
    )
    print(f"PgBouncer: started on 127.0.0.1:{PGBOUNCER_PORT} (log: {RUNTIME_DIR}/pgbouncer.log)")


if __name__ == "__main__":
    start_pgbouncer()
