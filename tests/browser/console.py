"""Waiting for an engine's console to fall quiet: its lines can arrive after fetch() settles."""

from __future__ import annotations

import time
from collections.abc import Callable


def settle(
    since: Callable[[int], list[str]], mark: int, quiet: float = 0.15, limit: float = 2.0
) -> list[str]:
    """`since(mark)` once no new line has come for `quiet` seconds (at most `limit` seconds)."""
    deadline = time.monotonic() + limit
    lines = since(mark)
    calm_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.03)
        now = since(mark)
        if now != lines:
            lines, calm_since = now, time.monotonic()
        elif time.monotonic() - calm_since >= quiet:
            break
    return lines
