"""Mail sent under the local settings, read where the README says it goes.

Local settings write each message to a file in LOCAL_MAIL_DIR (config/settings/local.py)
instead of sending it: a test runs code in a child process on those settings and reads
back the messages it wrote, then removes them (a developer's own mail stays).
"""

from __future__ import annotations

from config.env import BASE_DIR
from config.settings.development import TEST_SECRET_KEY

from tests.support.processes import child_environment, python_child

# As the README names it ("Get going").
LOCAL_MAIL_DIR = BASE_DIR / "tmp" / "mail"


def mail_sent_locally(code: str, *, marker: str) -> list[str]:
    """Run ``code`` on the local settings; the text of each mail it wrote that holds ``marker``."""
    child = python_child(
        code,
        env=child_environment(
            DJANGO_SETTINGS_MODULE="config.settings.local",
            # Local settings read the key from .env, which a fresh checkout (CI) has not.
            DJANGO_SECRET_KEY=TEST_SECRET_KEY,
        ),
    )
    assert child.returncode == 0, child.stderr
    written = [path for path in LOCAL_MAIL_DIR.glob("*.log") if marker in path.read_text()]
    texts = [path.read_text() for path in written]
    for path in written:
        path.unlink()
    return texts
