"""The project's README, read by the tests that keep it true."""

from config.env import BASE_DIR

README = BASE_DIR / "README.md"


def section(heading: str) -> str:
    """The README's text from a heading (e.g. "### Celery") to the next heading of its level."""
    text = README.read_text()
    level = heading.split(" ", 1)[0]
    after = text.split(f"\n{heading}\n", 1)[1]
    return after.split(f"\n{level} ", 1)[0]


def missing_facts(heading: str, facts: dict[str, object]) -> list[str]:
    """The `key=value` facts that the README section does not state."""
    text = section(heading)
    return [fact for key, value in facts.items() if (fact := f"`{key}={value}`") not in text]
