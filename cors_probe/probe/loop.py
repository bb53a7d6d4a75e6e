"""TEMPORARY adapter (replaced by the a13-probe branch's, which uses uvloop when it imports)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """`main` on a new event loop, to its end (asyncio.run)."""
    return asyncio.run(main)
