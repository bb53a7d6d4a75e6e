"""The floor for `cors-probe run`: a raw httpx.AsyncClient loop sending the same requests.

    python raw_httpx_loop.py BASE_URL CHECKS JOBS

For each of CHECKS paths, the preflight a browser sends (OPTIONS with Origin and the
Access-Control-Request-* headers), then the PUT, with at most JOBS checks in flight over one
client: what cors-probe sends, with no CORS judgement, no reports and no output.
"""

from __future__ import annotations

import asyncio
import sys

import httpx

ORIGIN = "http://localhost:3000"


async def main(base: str, checks: int, jobs: int) -> None:
    limits = httpx.Limits(max_connections=jobs, max_keepalive_connections=jobs)
    gate = asyncio.Semaphore(jobs)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:

        async def one(index: int) -> None:
            url = f"{base}/api/{index}"
            async with gate:
                preflight = await client.options(
                    url,
                    headers={
                        "Origin": ORIGIN,
                        "Access-Control-Request-Method": "PUT",
                        "Access-Control-Request-Headers": "content-type",
                    },
                )
                actual = await client.put(
                    url,
                    headers={"Origin": ORIGIN, "Content-Type": "application/json"},
                    content=b"{}",
                )
                if preflight.status_code != 204 or actual.status_code != 200:
                    raise SystemExit(f"unexpected {preflight.status_code} {actual.status_code}")

        await asyncio.gather(*(one(i) for i in range(checks)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
