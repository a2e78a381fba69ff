"""config/api.py: the interactive docs page works offline and under a strict CSP."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.test import Client


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
