"""The replica lock holds across runs whatever their TMPDIR: pausing replay is global.

The template's suite runs its generated projects side by side, each with a
temporary folder of its own; a lock file there would let two runs pause and
resume the one replica under each other's tests.
"""

from pathlib import Path

import pytest

from tests.support.processes import child_environment, python_child
from tests.support.replica import replica_lock

URL = "postgres://postgres@127.0.0.1:5433/postgres"  # the lock reads host and port only
TRY_THE_LOCK = f"""
from tests.support import replica
replica.WAIT_SECONDS = 0.2
try:
    with replica.replica_lock({URL!r}):
        print("acquired")
except BaseException as outcome:
    print(type(outcome).__name__)
"""


@pytest.mark.processes
def test_a_run_with_another_tmpdir_waits_for_the_lock(tmp_path: Path) -> None:
    with replica_lock(URL):
        child = python_child(TRY_THE_LOCK, env=child_environment(TMPDIR=str(tmp_path)))
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "Failed", "the other run took the lock while this one held it"
