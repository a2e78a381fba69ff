"""The README's map is true: one existing file per row, every settings module and script named."""

import re

from config.env import BASE_DIR

from tests.support import readme

ROW = re.compile(r"^\| [^|]+ \| (?P<file>[^|]+) \| [^|]+ \|$", re.MULTILINE)


def map_files() -> list[str]:
    """The File cell of every row of "Where things live" (header rows excluded)."""
    section = readme.section("## Where things live")
    cells = [match.group("file").strip() for match in ROW.finditer(section)]
    return [cell for cell in cells if cell not in {"File", "---"}]


def test_each_row_names_one_file_that_exists() -> None:
    files = map_files()
    assert len(files) > 20
    wrong = [cell for cell in files if not re.fullmatch(r"`[^`\s]+`", cell)]
    assert wrong == [], "one file per row, in backticks"
    missing = [cell for cell in files if not (BASE_DIR / cell.strip("`")).is_file()]
    assert missing == []


def test_every_settings_module_and_script_is_on_the_map() -> None:
    named = set(map_files())
    modules = [
        *sorted((BASE_DIR / "config" / "settings").glob("*.py")),
        *sorted((BASE_DIR / "scripts").glob("*.py")),
    ]
    unnamed = [
        str(module.relative_to(BASE_DIR))
        for module in modules
        if module.name != "__init__.py" and f"`{module.relative_to(BASE_DIR)}`" not in named
    ]
    assert unnamed == []
