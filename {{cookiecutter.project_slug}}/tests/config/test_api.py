"""config/api.py: every write names its authentication; the interactive docs page works
offline and under a strict CSP."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.test import Client
from ninja import NinjaAPI, Router

from config.api import api

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def anonymous_writes(ninja_api: NinjaAPI) -> list[str]:
    """The write operations of ``ninja_api`` that no authentication guards."""
    return [
        f"{method} {prefix.rstrip('/')}{path}"
        for prefix, router in ninja_api._routers
        for path, path_view in router.path_operations.items()
        for operation in path_view.operations
        for method in operation.methods
        if method in WRITE_METHODS and not operation.auth_callbacks
    ]


def test_every_write_names_its_authentication() -> None:
    """Writes need an API key (docs/api.md): an operation added without ``auth=`` is named."""
    assert anonymous_writes(api) == [], (
        "writes without authentication: add auth=WRITE_AUTH (users/auth.py) to each"
    )


def test_a_write_added_without_authentication_is_named() -> None:
    scratch = NinjaAPI(urls_namespace="scratch-writes")
    router = Router()

    @router.post("/reviews")
    def review_create(request: object) -> None: ...

    @router.get("/reviews")
    def review_list(request: object) -> None: ...

    scratch.add_router("/", router)
    assert anonymous_writes(scratch) == ["POST /reviews"]


class Assets(HTMLParser):
    """Every URL a page loads (src, href) and the text of its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value for name, value in attrs if value}
        self.urls += [found[name] for name in ("src", "href") if name in found]
        # A JSON data block is never run, so a CSP that forbids inline scripts allows it.
        self._inline_script = (
            tag == "script" and "src" not in found and found.get("type") != "application/json"
        )

    def handle_data(self, data: str) -> None:
        if self._inline_script and data.strip():
            self.inline_scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._inline_script = False


def test_the_docs_page_loads_everything_from_this_service(client: Client) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assets = Assets()
    assets.feed(page.content.decode())
    assert len(assets.urls) >= 3, "the Swagger UI's script, its style sheet, ..."
    external = [url for url in assets.urls if urlsplit(url).netloc or urlsplit(url).scheme]
    assert external == [], "blank offline and under a CSP of 'self'"
    assert assets.inline_scripts == []
    for url in assets.urls:
        served = client.get(url)
        assert served.status_code == 200, url
        assert served.getvalue()
