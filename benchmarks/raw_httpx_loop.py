"""A baseline for `cors-probe run`: a default httpx.AsyncClient loop sending the same requests.

    python raw_httpx_loop.py BASE_URL CHECKS JOBS

For each of CHECKS paths, the preflight and then the PUT that cors-probe sends for the
benchmark's check (the same headers as raw_aiohttp_loop.py; httpx's own Accept, Accept-Encoding,
Connection and User-Agent give way to them), with at most JOBS checks in flight over one client
with default settings on asyncio's event loop: what cors-probe sends, with no CORS judgement, no
reports and no output.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.wire import ACTUAL, PREFLIGHT


async def main(base: str, checks: int, jobs: int) -> None:
    limits = httpx.Limits(max_connections=jobs, max_keepalive_connections=jobs)
    gate = asyncio.Semaphore(jobs)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:

        async def one(index: int) -> None:
            url = f"{base}/api/{index}"
            async with gate:
                preflight = await client.options(url, headers=PREFLIGHT)
                actual = await client.put(url, headers=ACTUAL, content=b"{}")
                if preflight.status_code != 204 or actual.status_code != 200:
                    raise SystemExit(f"unexpected {preflight.status_code} {actual.status_code}")

        await asyncio.gather(*(one(i) for i in range(checks)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
