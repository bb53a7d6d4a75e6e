"""The engines for the browser suite, each started once, on first use; missing engine: skip
locally, fail in CI (tests/browser/engines.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from tests.browser.cdp import Browser
from tests.browser.engines import Chromium, Engine, open_engine, require


def require_chromium() -> str:
    return require("chrome")


class Engines:
    """Opens each engine the first time a test asks for it; all closed at the session's end."""

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self._stack = stack
        self._open: dict[str, Engine] = {}

    def get(self, name: str) -> Engine:
        if name not in self._open:
            executable = require(name)
            self._open[name] = self._stack.enter_context(open_engine(name, executable))
        return self._open[name]


@pytest.fixture(scope="session")
def engines() -> Iterator[Engines]:
    with contextlib.ExitStack() as stack:
        yield Engines(stack)


@pytest.fixture(scope="session")
def chromium(engines: Engines) -> Browser:
    engine = engines.get("chrome")
    assert isinstance(engine, Chromium)
    return engine.browser
