"""The project's README and docs/, read by the tests that keep them true."""

import re

from config.env import BASE_DIR

README = BASE_DIR / "README.md"


def section(heading: str, document: str = "README.md") -> str:
    """A document's text from a heading (e.g. "## Where things live") to the next of its level."""
    text = (BASE_DIR / document).read_text()
    level = heading.split(" ", 1)[0]
    after = text.split(f"\n{heading}\n", 1)[1]
    return after.split(f"\n{level} ", 1)[0]


def missing_facts(document: str, facts: dict[str, object]) -> list[str]:
    """The `key=value` facts that the document (e.g. "docs/worker.md") does not state."""
    text = (BASE_DIR / document).read_text()
    return [fact for key, value in facts.items() if (fact := f"`{key}={value}`") not in text]


def shell_blocks(document: str) -> list[str]:
    """The text of each ```sh block of a document, exactly as a reader copies it."""
    text = (BASE_DIR / document).read_text()
    return re.findall(r"^```sh\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)
