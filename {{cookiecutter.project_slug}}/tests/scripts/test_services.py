"""scripts/services.py names each unreachable service and how to start it."""

import importlib.util
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


def test_reports_every_missing_service(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = load_script()
    monkeypatch.setattr(
        script,
        "REQUIRED",
        {
            "PostgreSQL": (closed_port(), "start PostgreSQL"),
            "Redis": (6379, "start Redis"),
        },
    )
    with pytest.raises(SystemExit) as exited:
        script.main()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "PostgreSQL is not reachable on 127.0.0.1:" in err
    assert "start PostgreSQL" in err
    assert "Redis" not in err


def test_passes_when_everything_listens(capsys: pytest.CaptureFixture[str]) -> None:
    script = load_script()
    script.main()
    out = capsys.readouterr().out
    for name, (port, _) in script.REQUIRED.items():
        assert f"{name}: listening on 127.0.0.1:{port}" in out
