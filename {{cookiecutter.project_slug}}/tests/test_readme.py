"""The README stays short and its map true; docs/ names only files that exist; snippets run.

The README is the first page a newcomer reads: a quick start, the commands and
one row per practice. The detail lives in docs/ and in each package's docstring.
"""

import json
import re
import subprocess
from urllib.parse import urlsplit

import pytest
from pytest_django.live_server_helper import LiveServer

from {{ cookiecutter.project_slug }}.users.models import ApiKey, User

from config.env import BASE_DIR

from tests.support import readme
from tests.support.processes import WAIT_SECONDS, child_environment

ROW = re.compile(
    r"^\| (?P<practice>[^|]+) \| (?P<where>[^|]+) \| (?P<more>[^|]+) \|$", re.MULTILINE
)
PATH = re.compile(r"`([^`\s]+)`")
CORE = BASE_DIR / "{{ cookiecutter.project_slug }}" / "core"


def map_rows() -> list[re.Match[str]]:
    """The rows of "Where things live", header rows excluded."""
    rows = ROW.finditer(readme.section("## Where things live"))
    return [row for row in rows if row.group("where").strip() not in {"Where", "---"}]


def test_the_readme_is_short_and_its_map_has_a_row_per_practice() -> None:
    assert len(readme.README.read_text().splitlines()) < 150
    assert 10 <= len(map_rows()) <= 30


def test_each_map_row_names_paths_that_exist_and_a_page_that_exists() -> None:
    for row in map_rows():
        paths = PATH.findall(row.group("where"))
        assert paths, row.group(0)
        assert [path for path in paths if not (BASE_DIR / path).exists()] == [], row.group(0)
        more = PATH.findall(row.group("more"))
        assert all((BASE_DIR / page).is_file() for page in more), row.group(0)


def test_every_core_package_has_its_row() -> None:
    named = {path for row in map_rows() for path in PATH.findall(row.group("where"))}
    packages = sorted(
        f"{CORE.relative_to(BASE_DIR)}/{package.parent.name}/"
        for package in CORE.glob("*/__init__.py")
        if package.parent.name != "management"
    )
    assert [package for package in packages if package not in named] == []


def test_every_file_the_docs_tables_name_exists() -> None:
    missing = [
        f"{page.name}: {cell}"
        for page in sorted((BASE_DIR / "docs").glob("*.md"))
        for match in ROW.finditer(page.read_text())
        for cell in PATH.findall(match.group("where"))
        if "/" in cell or "." in cell
        if not (BASE_DIR / cell).exists()
    ]
    assert missing == []


def test_every_settings_module_and_script_is_described_in_the_docs() -> None:
    docs = "".join(page.read_text() for page in (BASE_DIR / "docs").glob("*.md"))
    modules = [
        *sorted((BASE_DIR / "config" / "settings").glob("*.py")),
        *sorted((BASE_DIR / "scripts").glob("*.py")),
    ]
    unnamed = [
        str(module.relative_to(BASE_DIR))
        for module in modules
        if module.name != "__init__.py" and f"`{module.relative_to(BASE_DIR)}`" not in docs
    ]
    assert unnamed == []


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)  # committed: the snippet's commands are processes
def test_the_api_key_snippet_runs_as_written(live_server: LiveServer) -> None:
    """docs/api.md's snippet pasted into a shell, in the project directory, with the service on PORT."""
    (snippet,) = [block for block in readme.shell_blocks("docs/api.md") if "api_key" in block]
    pasted = subprocess.run(
        ["/bin/bash", "-e", "-o", "pipefail", "-c", snippet],
        cwd=BASE_DIR,
        env=child_environment(PORT=str(urlsplit(live_server.url).port)),
        capture_output=True,
        text=True,
        timeout=3 * WAIT_SECONDS,
        check=False,
    )
    assert pasted.returncode == 0, pasted.stderr
    # curl prints /api/v1/me's answer, then api_key_revoke its confirmation.
    me, end = json.JSONDecoder().raw_decode(pasted.stdout)
    assert me["username"] == "billing"
    assert pasted.stdout[end:].strip() == f"Key {me['key']} revoked."
    assert ApiKey.objects.get(prefix=me["key"]).revoked_at is not None
    client = User.objects.get(username="billing")
    assert not client.is_staff
    assert not client.is_superuser
    assert not client.has_usable_password()
