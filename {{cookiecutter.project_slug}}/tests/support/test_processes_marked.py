"""The mark that keeps `make test` quick: an unmarked test that starts a process fails."""

import subprocess
import sys

import pytest

# The cheapest process to start: this interpreter, doing nothing.
NOTHING = [sys.executable, "-S", "-c", ""]


def test_an_unmarked_test_that_starts_a_process_fails_naming_the_mark() -> None:
    with pytest.raises(pytest.fail.Exception, match=r"not marked @pytest\.mark\.processes"):
        subprocess.run(NOTHING, check=False)


@pytest.mark.processes
def test_a_marked_test_starts_its_process() -> None:
    assert subprocess.run(NOTHING, check=False).returncode == 0
