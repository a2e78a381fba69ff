"""A real browser for the tests that need one: headless Chromium, its console read back.

Why a browser: whether a Content-Security-Policy lets a page work is decided by
the browser running it, script by script and image by image; a header read
back proves nothing of it. Chromium prints what it blocks on its console, which
``--enable-logging=stderr`` writes to its error output, one ``CONSOLE`` line
each. Only `make test-browser` runs these tests. Chromium comes from the
system's packages (Debian: ``apt-get install chromium``; CHROMIUM=/path picks
another build); without it the tests fail saying so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
CONSOLE = re.compile(r':CONSOLE(?:\(\d+\)|:\d+)\] "(?P<message>.*)", source: (?P<source>\S*)')
# What a browser says when a page's policies block or reject something.
POLICY_WORDS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")


def chromium() -> str:
    """The Chromium binary, or a test failure that says how to get one."""
    names = [os.environ["CHROMIUM"]] if os.environ.get("CHROMIUM") else NAMES
    found = next((path for name in names if (path := shutil.which(name))), None)
    if not found:
        pytest.fail(
            "No Chromium here: the browser tests (make test-browser) need one. Install it "
            "(Debian: apt-get install chromium; Ubuntu: the chromium snap or Google Chrome), "
            "or set CHROMIUM=/path/to/chrome.",
            pytrace=False,
        )
    return found


@dataclass(frozen=True)
class Page:
    dom: str  # the document once its scripts ran
    console: list[str]  # every console message, in order

    @property
    def policy_violations(self) -> list[str]:
        return [line for line in self.console if any(word in line for word in POLICY_WORDS)]


def page_load(url: str, profile: Path, *, seconds: float = 5) -> Page:
    """``url`` loaded and run by headless Chromium (``seconds`` of page time for its scripts)."""
    done = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",  # root in a container; the pages are our own, on loopback
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",  # nothing but the page: no update or sync traffic
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            f"--virtual-time-budget={int(seconds * 1000)}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    console = [match.group("message") for match in CONSOLE.finditer(done.stderr)]
    return Page(dom=done.stdout, console=console)
