"""deploy/pgbouncer.ini, production's own file: a client must prove its password.

PgBouncer runs from the shipped file on a free loopback port, with an auth file
made for the test (a plain password here; production mounts SCRAM secrets).
"""

import importlib.util
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import psycopg
import pytest

from config.env import BASE_DIR

from tests.support.loopback import HOST, closed_port

PASSWORD = "a-password-for-this-test-only"


def load_script() -> ModuleType:
    sys.path.insert(0, str(BASE_DIR / "scripts"))  # the script imports its sibling `services`
    try:
        spec = importlib.util.spec_from_file_location(
            "pgbouncer_script", BASE_DIR / "scripts" / "pgbouncer.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BASE_DIR / "scripts"))
    return module


@pytest.fixture
def production_pgbouncer() -> Iterator[int]:
    """PgBouncer from deploy/pgbouncer.ini (listening on loopback only); its port."""
    script = load_script()
    # Not under pytest's tmp_path: PgBouncer runs as postgres, which must reach the directory.
    runtime = Path(tempfile.mkdtemp(prefix="pgbouncer-test-"))
    config = (BASE_DIR / "deploy" / "pgbouncer.ini").read_text()
    port = closed_port()
    try:
        script.start(
            config.replace("listen_addr = *", f"listen_addr = {HOST}"),
            f'"postgres" "{PASSWORD}"\\n',
            runtime,
            port,
        )
        yield port
    finally:
        script.stop(runtime)
        shutil.rmtree(runtime, ignore_errors=True)


def connect(port: int, password: str | None) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=HOST,
        port=port,
        user="postgres",
        password=password,
        dbname="postgres",
        connect_timeout=5,
    )


def test_the_production_config_refuses_a_wrong_or_missing_password(
    production_pgbouncer: int,
) -> None:
    with connect(production_pgbouncer, PASSWORD) as authenticated:
        assert authenticated.execute("SELECT 1").fetchone() == (1,)
    for wrong in ("not-the-password", None):
        with pytest.raises(psycopg.OperationalError, match=r"password|SASL|authentication"):
            connect(production_pgbouncer, wrong).close()
