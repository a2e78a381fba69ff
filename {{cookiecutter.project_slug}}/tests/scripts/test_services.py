"""scripts/services.py checks the addresses the settings use and names each one that is down."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from config.env import BASE_DIR

from tests.support.loopback import closed_port

SCRIPT = BASE_DIR / "scripts" / "services.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("services_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.processes
def test_a_moved_redis_is_checked_where_redis_url_points() -> None:
    """What `REDIS_URL=redis://127.0.0.1:<port>/0 make services` does, as a process."""
    port = closed_port()
    result = subprocess.run(
        [sys.executable, str(SCRIPT)],
        env={**os.environ, "REDIS_URL": f"redis://127.0.0.1:{port}/0"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1, result.stdout
    assert f"Redis (cache) is not reachable on 127.0.0.1:{port} (REDIS_URL)" in result.stderr
    assert "redis-server" in result.stderr, "it says how to start it"
    assert "PostgreSQL" not in result.stderr, "only what is down is reported"


def test_dotenv_is_read_after_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broker, database = closed_port(), closed_port()
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# as make setup's .env\n"
        f"CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:{broker}//\n"
        "DATABASE_URL=postgres://postgres@127.0.0.1:1/ignored\n"
    )
    environ = {"DATABASE_MIGRATION_URL": f"postgres://postgres@127.0.0.1:{database}/db"}
    with pytest.raises(SystemExit) as exited:
        load_script().main(environ, dotenv)
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert f"RabbitMQ (Celery broker) is not reachable on 127.0.0.1:{broker}" in err
    assert "rabbitmq-server" in err
    assert f"PostgreSQL (database) is not reachable on 127.0.0.1:{database}" in err
    assert "127.0.0.1:1 " not in err, "the direct URL wins over DATABASE_URL"


def test_passes_when_everything_listens(capsys: pytest.CaptureFixture[str]) -> None:
    script = load_script()
    script.main()
    out = capsys.readouterr().out
    for service in script.addresses(os.environ, script.read_dotenv(BASE_DIR / ".env")):
        assert f"{service.name}: listening on {service.host}:{service.port}" in out
