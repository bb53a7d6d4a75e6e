"""The three engines behind one interface for the referee: Chromium (DevTools protocol), Firefox
(Marionette) and WebKit (WebKitGTK), each started fresh from Debian's packages.

`Engine` is what the referee needs: load the page, run a fetch() in it, and read every console
line the engine printed for it, in order, exactly as its console shows them. `open_engine(name)`
starts one; `require(name)` finds its executable, skipping the test locally when the engine is
not installed and failing it under CI=true (a missing engine must never pass silently).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any, Protocol

import pytest

from tests.browser import cdp, console, firefox, webkit

NAMES = ("chrome", "firefox", "safari")
"""The engines by their report keys (what `cors-probe check --format json` calls them)."""
OPTIONS = {"chrome": "chromium", "firefox": "firefox", "safari": "safari"}
"""Each engine's `--browser` value."""
INSTALL = {
    "chrome": "apt-get install chromium",
    "firefox": "apt-get install firefox-esr",
    "safari": "apt-get install python3-gi gir1.2-webkit2-4.1 xvfb",
}


class Engine(Protocol):
    name: str
    version: str

    def navigate(self, url: str) -> None: ...

    def evaluate(self, expression: str, timeout: float = 30) -> Any: ...

    def console_mark(self) -> int: ...

    def settle(self, mark: int, quiet: float = 0.15, limit: float = 2.0) -> list[str]: ...


class Chromium:
    """cdp.Browser as an Engine: its console lines are the texts of Log.entryAdded."""

    name = "chrome"

    def __init__(self, browser: cdp.Browser) -> None:
        self.browser = browser
        self.version = browser.version

    def navigate(self, url: str) -> None:
        self.browser.navigate(url)

    def evaluate(self, expression: str, timeout: float = 30) -> Any:
        return self.browser.evaluate(expression, timeout)

    def console_mark(self) -> int:
        return self.browser.console_mark()

    def settle(self, mark: int, quiet: float = 0.15, limit: float = 2.0) -> list[str]:
        return console.settle(self._since, mark, quiet, limit)

    def _since(self, mark: int) -> list[str]:
        return [entry.text for entry in self.browser.console_since(mark)]


def find(name: str) -> str | None:
    """The engine's executable (the interpreter that drives WebKitGTK), or None."""
    if name == "chrome":
        return cdp.find_chromium()
    if name == "firefox":
        return firefox.find_firefox()
    return webkit.find_webkit()


def require(name: str) -> str:
    executable = find(name)
    if executable is None:
        reason = f"{name} is not installed ({INSTALL[name]}): its browser referee did NOT run"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return executable


@contextlib.contextmanager
def open_engine(name: str, executable: str) -> Iterator[Engine]:
    """Start the engine, fresh profile; closed (and its profile removed) on exit."""
    if name == "chrome":
        with cdp.browser(executable) as browser:
            yield Chromium(browser)
    elif name == "firefox":
        with firefox.firefox(executable) as instance:
            yield instance
    else:
        with webkit.webkit(executable) as instance:
            yield instance
