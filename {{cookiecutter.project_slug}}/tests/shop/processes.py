"""For tests that start a second process (a worker, another web process).

The child must use the database this test process uses: pytest-django renamed
it to test_<name> after the settings read DATABASE_URL, so the child gets the
URL of the test database explicitly, and otherwise the same environment.
"""

import os
from urllib.parse import quote

from django.db import connection


def database_url_for_child() -> str:
    """The URL of the test database this process uses."""
    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{quote(db['NAME'])}"


def child_environment(**overrides: str) -> dict[str, str]:
    """This process's environment, pointed at the test database, plus overrides."""
    return {**os.environ, "DATABASE_URL": database_url_for_child(), **overrides}
