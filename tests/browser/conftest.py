"""One headless Chromium for the whole browser suite; missing browser: skip locally, fail in CI."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.browser.cdp import Browser, browser, find_chromium


def require_chromium() -> str:
    executable = find_chromium()
    if executable is None:
        reason = (
            "chromium is not installed (apt-get install chromium): the browser referee tests "
            "did NOT run"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return executable


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    with browser(require_chromium()) as instance:
        yield instance
