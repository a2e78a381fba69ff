#!/usr/bin/env python3
"""Start PgBouncer on 127.0.0.1:6432 from deploy/pgbouncer.ini, idempotently.

The pid, log and auth paths are rewritten to a private runtime directory so the
project's own file is used unchanged; an already listening PgBouncer is left alone.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

from services import listening, wait_for

PROJECT = Path(__file__).resolve().parent.parent
PGBOUNCER_PORT = 6432
RUNTIME_DIR = Path(os.environ.get("PGBOUNCER_RUNTIME_DIR", "/tmp/{{ cookiecutter.project_slug }}-pgbouncer"))  # noqa: S108


def start_pgbouncer() -> None:
    if listening(PGBOUNCER_PORT):
        print(f"PgBouncer: already listening on 127.0.0.1:{PGBOUNCER_PORT}")
        return
    binary = shutil.which("pgbouncer")
    if binary is None:
        sys.exit("ERROR: PgBouncer is not installed. Install it with 'apt-get install pgbouncer'.")
    RUNTIME_DIR.mkdir(parents=True, exist_ok=True)
    config = (PROJECT / "deploy" / "pgbouncer.ini").read_text()
    replacements = {
        "auth_file = /etc/pgbouncer/userlist.txt": f"auth_file = {RUNTIME_DIR}/userlist.txt",
        "pidfile = /var/run/pgbouncer/pgbouncer.pid": f"pidfile = {RUNTIME_DIR}/pgbouncer.pid",
        "logfile = /var/log/pgbouncer/pgbouncer.log": f"logfile = {RUNTIME_DIR}/pgbouncer.log",
    }
    for old, new in replacements.items():
        config = config.replace(old, new)
    (RUNTIME_DIR / "pgbouncer.ini").write_text(config)
    shutil.copy(PROJECT / "deploy" / "pgbouncer_userlist.txt", RUNTIME_DIR / "userlist.txt")
    (RUNTIME_DIR / "pgbouncer.pid").unlink(missing_ok=True)
    command = [binary, "-d", str(RUNTIME_DIR / "pgbouncer.ini")]
    if os.geteuid() == 0:
        # PgBouncer refuses to run as root: hand the runtime directory to postgres.
        user = pwd.getpwnam("postgres")
        for path in (RUNTIME_DIR, *RUNTIME_DIR.iterdir()):
            os.chown(path, user.pw_uid, user.pw_gid)
        command[1:1] = ["-u", "postgres"]
    subprocess.run(command, check=True)
    if not wait_for(PGBOUNCER_PORT, seconds=10):
        sys.exit(f"ERROR: PgBouncer did not start; see {RUNTIME_DIR}/pgbouncer.log.")
    print(f"PgBouncer: started on 127.0.0.1:{PGBOUNCER_PORT} (log: {RUNTIME_DIR}/pgbouncer.log)")


if __name__ == "__main__":
    start_pgbouncer()
