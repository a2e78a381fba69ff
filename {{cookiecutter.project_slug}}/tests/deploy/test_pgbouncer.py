"""deploy/pgbouncer.ini, production's own file: a client must prove its password.

PgBouncer runs from the shipped file on a free loopback port, with an auth file
made for the test (a plain password here; production mounts SCRAM secrets).
And scripts/pgbouncer.py (make services) uses a PgBouncer it finds listening only
when it reaches this project's PostgreSQL, and says which one it uses.
"""

import importlib.util
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import psycopg
import pytest

from config.env import BASE_DIR

from tests.support.kubelet import Kubelet
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


pytestmark = pytest.mark.processes


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


@pytest.fixture
def local_pgbouncer(request: pytest.FixtureRequest) -> Iterator[tuple[int, Path]]:
    """PgBouncer as make services starts it (trust, loopback), with ``request.param`` as
    its [databases] line; yields its port and runtime directory."""
    script = load_script()
    runtime = Path(tempfile.mkdtemp(prefix="pgbouncer-test-"))
    deploy = BASE_DIR / "deploy"
    config = script.with_overrides(
        (deploy / "pgbouncer.ini").read_text(), (deploy / "pgbouncer.local.ini").read_text()
    ).replace("* = host=127.0.0.1 port=5432", request.param)
    port = closed_port()
    try:
        script.start(config, '"postgres" ""\n', runtime, port)
        yield port, runtime
    finally:
        script.stop(runtime)
        shutil.rmtree(runtime, ignore_errors=True)


def test_the_running_pgbouncer_is_named_and_checked_before_it_is_used() -> None:
    """What make services prints when PgBouncer already listens on 6432 (this suite's)."""
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "scripts" / "pgbouncer.py")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "PgBouncer: already listening on 127.0.0.1:6432" in result.stdout
    assert "it reaches the PostgreSQL of DATABASE_MIGRATION_URL (port 5432" in result.stdout


@pytest.mark.parametrize("local_pgbouncer", ["* = host=127.0.0.1 port=5432"], indirect=True)
def test_a_pgbouncer_this_project_started_is_named_as_its_own(
    local_pgbouncer: tuple[int, Path],
) -> None:
    port, runtime = local_pgbouncer
    said = load_script().running_pgbouncer(
        port,
        f"postgres://postgres@{HOST}:{port}/postgres",
        f"postgres://postgres@{HOST}:5432/postgres",
        runtime,
    )
    assert f"already listening on 127.0.0.1:{port}, this project's, started earlier" in said


@pytest.mark.parametrize(
    "local_pgbouncer", ["another_project = host=127.0.0.1 port=5432"], indirect=True
)
def test_a_pgbouncer_of_another_project_is_refused(
    local_pgbouncer: tuple[int, Path],
) -> None:
    port, runtime = local_pgbouncer
    with pytest.raises(SystemExit) as refused:
        load_script().running_pgbouncer(
            port,
            f"postgres://postgres@{HOST}:{port}/postgres",
            f"postgres://postgres@{HOST}:5432/postgres",
            runtime,
        )
    assert f"something listens on 127.0.0.1:{port}, but this project cannot use it" in str(
        refused.value.code
    )


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_the_cluster_pgbouncer_runs_this_file_pointed_at_the_overlays_postgresql(
    node: Kubelet,
) -> None:
    """deploy/kubernetes/base/pgbouncer.yaml's init container, run as a kubelet would:
    the file it writes is this one, with only the PostgreSQL address of the overlay."""
    pod = node.pod("Deployment", "pgbouncer")
    (config,) = pod.init
    assert node.start_container(config).wait(timeout=30) == 0, pod.tail()
    postgres = node.rendering.config_map(config.spec["envFrom"][0]["configMapRef"]["name"])
    written = (pod.volumes["config"] / "pgbouncer.ini").read_text().splitlines()
    shipped = (BASE_DIR / "deploy" / "pgbouncer.ini").read_text().splitlines()
    changed = [(a, b) for a, b in zip(shipped, written, strict=True) if a != b]
    assert changed == [
        (
            "* = host=127.0.0.1 port=5432",
            f"* = host={postgres['POSTGRES_HOST']} port={postgres['POSTGRES_PORT']}",
        )
    ]
