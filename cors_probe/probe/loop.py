"""The event loop `cors-probe run` drives its async prober on: uvloop's when it imports (it
cuts the loop's own CPU per request), else asyncio's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop.new_event_loop when uvloop is installed and imports, else None (asyncio's)."""
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` to completion on a new event loop (uvloop's when importable) and return its
    result, as asyncio.run does: its exceptions propagate, the loop is closed after."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)
