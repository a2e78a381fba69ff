"""scripts/replica.py start: safe to run twice at once, from any folder."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from config.env import BASE_DIR

from tests.support.loopback import closed_port

SCRIPT = BASE_DIR / "scripts" / "replica.py"


@pytest.mark.processes
def test_two_starts_at_once_from_a_closed_folder_share_one_replica() -> None:
    """Two projects' `make services` at once, each from a folder the postgres user cannot
    enter (a project under root's private /tmp/pytest-of-root): one starts the replica,
    the other waits and uses it."""
    port = closed_port()
    workspace = Path(tempfile.mkdtemp(prefix="replica-test-"))
    workspace.chmod(0o755)
    closed = workspace / "closed"
    closed.mkdir(mode=0o700)
    runtimes = [workspace / "first", workspace / "second"]
    environments = [
        {**os.environ, "REPLICA_PORT": str(port), "REPLICA_RUNTIME_DIR": str(runtime)}
        for runtime in runtimes
    ]
    try:
        starts = [
            subprocess.Popen(
                [sys.executable, str(SCRIPT), "start"],
                cwd=closed,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for environment in environments
        ]
        outputs = [start.communicate(timeout=90)[0] for start in starts]
        assert [start.returncode for start in starts] == [0, 0], "\n".join(outputs)
        said = "\n".join(outputs)
        assert said.count(f"Replica: started on 127.0.0.1:{port}") == 1, said
        assert said.count(f"Replica: already listening on 127.0.0.1:{port}") == 1, said
    finally:
        for environment in environments:
            subprocess.run(
                [sys.executable, str(SCRIPT), "stop"], env=environment, timeout=60, check=False
            )
        shutil.rmtree(workspace, ignore_errors=True)
        Path(f"/tmp/replica-{port}.lock").unlink(missing_ok=True)  # noqa: S108
