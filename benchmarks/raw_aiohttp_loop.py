"""The floor for `cors-probe run`: a raw aiohttp loop sending the same requests, nothing else.

    python raw_aiohttp_loop.py BASE_URL CHECKS JOBS

For each of CHECKS paths (BASE_URL/api/0 ...), the preflight and then the PUT that cors-probe
sends for the benchmark's check, header for header as its Chromium profile puts them on the wire
(aiohttp adds Host and Content-Length; its own Accept, Accept-Encoding and User-Agent give way to
these), with at most JOBS checks in flight over one ClientSession whose TCPConnector holds at most
JOBS connections, reading each body. No CORS judgement, no report, no output: the speed of
light for this stack. The event loop is uvloop's when uvloop imports (as `cors-probe run` does),
else asyncio's. Exits 0, or with a message when a status is not the expected 204 / 200.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.wire import ACTUAL, PREFLIGHT


async def main(base: str, checks: int, jobs: int) -> None:
    """Send CHECKS preflight + PUT pairs, JOBS at a time; SystemExit on an unexpected status."""
    gate = asyncio.Semaphore(jobs)
    connector = aiohttp.TCPConnector(limit=jobs)
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:

        async def one(index: int) -> None:
            url = f"{base}/api/{index}"
            async with gate:
                async with session.options(url, headers=PREFLIGHT) as preflight:
                    await preflight.read()
                async with session.put(url, headers=ACTUAL, data=b"{}") as actual:
                    await actual.read()
                if preflight.status != 204 or actual.status != 200:
                    raise SystemExit(f"unexpected {preflight.status} {actual.status}")

        await asyncio.gather(*(one(i) for i in range(checks)))


def run(main: Coroutine[Any, Any, None]) -> None:
    """asyncio.run on uvloop's loop when uvloop imports, else on asyncio's."""
    try:
        uvloop = importlib.import_module("uvloop")  # optional: no stubs needed when absent
    except ImportError:
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


if __name__ == "__main__":
    run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
