"""config/asgi.py: the ASGI entry point's connection policy, as a new process builds it.

Not a database test: Django's app registry must stay whole while the entry point
sets Django up again.
"""

import importlib
from typing import Any

import pytest

from config import startup
from config.settings import database, database_pooling


def reload_database_settings() -> dict[str, Any]:
    """DATABASES as a new process would build it from the current environment."""
    importlib.reload(database_pooling)
    databases: dict[str, Any] = importlib.reload(database).DATABASES
    return databases


def test_asgi_entry_point_uses_no_persistent_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "60")  # what a WSGI process may use
    # The process start (checks, Sentry) belongs to a server, not to this import.
    monkeypatch.setattr(startup, "start", lambda _interface: None)
    try:
        importlib.reload(importlib.import_module("config.asgi"))  # the uvicorn entry point
        # The settings an ASGI process builds after its entry point ran:
        assert reload_database_settings()["default"]["CONN_MAX_AGE"] == 0
    finally:
        monkeypatch.undo()
        reload_database_settings()
