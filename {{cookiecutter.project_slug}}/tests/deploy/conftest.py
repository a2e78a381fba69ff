"""Fixtures of the simulated cluster: the image's code, the secret store, a kubelet.

The pods' directories live outside pytest's private temporary tree (mode 0700),
which the pods' user could not enter; each is removed at the end.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from config.settings.development import DEVELOPMENT_DEFAULTS

from tests.support.kubelet import Kubelet, copy_build_context, kubelet, writable
from tests.support.kubernetes import production
from tests.support.processes import database_url_for_child

HEALTH_TOKEN = "a-health-token-for-the-pods"


@pytest.fixture(scope="session")
def pods_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="pods-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        writable(root)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def image_code(pods_root: Path) -> Path:
    """The image's /app: the build context copied once, read-only."""
    return copy_build_context(pods_root / "app")


def on_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def secret_store(database_url: str) -> dict[str, str]:
    """What the platform's secret store holds for the pods: this run's services."""
    name = urlsplit(database_url).path.lstrip("/")
    # PostgreSQL itself for the release's migrations (PgBouncer's DATABASE_URL aside).
    direct = DEVELOPMENT_DEFAULTS.get("DATABASE_MIGRATION_URL") or database_url
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "DATABASE_MIGRATION_URL": on_database(direct, name),
        "PGBOUNCER_ADMIN_URL": str(getattr(settings, "PGBOUNCER_ADMIN_URL", "")),
        "REDIS_URL": str(settings.CACHES["default"]["LOCATION"]),
        "CELERY_BROKER_URL": str(settings.CELERY_BROKER_URL),
        "DJANGO_HEALTH_TOKEN": HEALTH_TOKEN,
        # PgBouncer's auth_file (a plain password here; production holds SCRAM secrets).
        "PGBOUNCER_USERLIST": '"postgres" "a-password-for-the-pods"\n',
    }


def isolation() -> dict[str, str]:
    """This test process's own queue and cache prefix on the shared services."""
    return {
        "CELERY_TASK_DEFAULT_QUEUE": str(settings.CELERY_TASK_DEFAULT_QUEUE),
        "CACHE_KEY_PREFIX": str(settings.CACHES["default"]["KEY_PREFIX"]),
    }


@pytest.fixture
def node(image_code: Path, pods_root: Path, transactional_db: None) -> Iterator[Kubelet]:
    """A kubelet running the production overlay's pods on this run's test database."""
    workspace = Path(tempfile.mkdtemp(prefix="node-", dir=pods_root))
    workspace.chmod(0o755)
    with kubelet(
        production(),
        code=image_code,
        secrets=secret_store(database_url_for_child()),
        workspace=workspace,
        isolation=isolation(),
    ) as running:
        yield running
