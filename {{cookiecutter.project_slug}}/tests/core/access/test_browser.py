"""The admin and the API docs page work in a real browser under their CSP, and inline scripts do not.

The production server (docs page on, plain HTTP on loopback: Chromium sends no
X-Forwarded-Proto) and headless Chromium (tests/support/browser.py). Run by
`make test-browser` only: Chromium is a system package a laptop may lack.
"""

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.browser import chromium, page_load
from tests.support.loopback import Reply, Seen, http_server
from tests.support.servers import Server, fetch, production_server

# The server runs on the test database, which must exist; the pages write nothing to it.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.processes,
    pytest.mark.django_db(transaction=True, available_apps=["django.contrib.contenttypes"]),
]


@pytest.fixture(scope="module", autouse=True)
def _browser_found() -> None:
    """No Chromium: said at once, before a server starts for nothing."""
    chromium()


@pytest.fixture(scope="module")
def server(
    server_environment: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    environment = {
        **server_environment,
        "DJANGO_API_DOCS": "true",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
    }
    log = tmp_path_factory.mktemp("browser-server") / "gunicorn.log"
    with production_server(environment, log=log) as started:
        yield started


def admin_login(server: Server) -> str:
    return "/admin/login/"


def docs_with_an_operation_open(server: Server) -> str:
    """The docs page deep-linked to its first operation, drawn open (its form, its selects)."""
    schema = json.loads(fetch(server, "/api/v1/openapi.json").body)
    operation = next(iter(next(iter(schema["paths"].values())).values()))
    return f"/api/v1/docs#/{operation['tags'][0]}/{operation['operationId']}"


@pytest.mark.parametrize(
    ("page_path", "ran"),
    [
        # The admin's theme script marks the document once it ran.
        (admin_login, 'data-theme="auto"'),
        # The docs page's scripts fetched the schema and drew the operation open.
        (docs_with_an_operation_open, "opblock-body"),
    ],
    ids=["admin login", "api docs"],
)
def test_the_page_runs_under_its_policies_without_a_violation(
    server: Server, tmp_path: Path, page_path: Callable[[Server], str], ran: str
) -> None:
    path = page_path(server)
    headers = fetch(server, path.partition("#")[0]).headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "camera=()" in headers["Permissions-Policy"]
    page = page_load(f"{server.url}{path}", tmp_path / "profile")
    assert page.policy_violations == [], "\n".join(page.policy_violations)
    assert ran in page.dom, f"the page's scripts did not run\n{page.console}"


def test_an_inline_script_does_not_run_under_the_policy(server: Server, tmp_path: Path) -> None:
    """The service's own policy, on a page that carries what an injection would."""
    policy = fetch(server, "/admin/login/").headers["Content-Security-Policy"]
    injected = (
        b"<html><head><title>untouched</title></head><body>"
        b"<script>document.title = 'ran'</script>"
        b"<img src=x onerror=\"document.title = 'ran'\"></body></html>"
    )

    def reply(request: Seen) -> Reply:
        return Reply(
            body=injected,
            headers={"Content-Type": "text/html", "Content-Security-Policy": policy},
        )

    with http_server(reply) as page_server:
        page = page_load(f"{page_server.url}/", tmp_path / "profile")
    assert "<title>untouched</title>" in page.dom
    assert len(page.policy_violations) >= 2, page.console
