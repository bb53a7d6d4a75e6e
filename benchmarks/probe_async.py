"""CPU per request of the async prober beside bare aiohttp, on one event loop, against nginx.

    python benchmarks/probe_async.py [--checks 2000] [--jobs 16] [--runs 3]

Each check is a preflight (OPTIONS) and a PUT, as `cors-probe run` sends for the batch benchmark
(benchmarks/batch.py's nginx, or benchmarks/server.py without nginx). Three senders, each with
JOBS requests in flight, on asyncio's loop and on uvloop's: bare aiohttp (one ClientSession,
the same headers, body read), `AsyncProber.send` (the WireResponse built, body capped), and
httpx.AsyncClient (its default transport, for scale). Reported: process CPU ms per check (two
requests) and checks per second, medians over RUNS. It informs, never fails.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.batch import api_server
from cors_probe.model import Headers, WireRequest
from cors_probe.probe.aclient import AsyncProber
from cors_probe.probe.client import ProbeOptions
from cors_probe.probe.wire import on_the_wire

ORIGIN = "http://localhost:3000"
Send = Callable[[WireRequest], Awaitable[object]]


def checks(base: str, count: int) -> list[tuple[WireRequest, WireRequest]]:
    pairs = []
    for number in range(count):
        url = f"{base}/api/{number}"
        preflight = WireRequest(
            "OPTIONS",
            url,
            Headers.of(
                ("Accept", "*/*"),
                ("Access-Control-Request-Method", "PUT"),
                ("Access-Control-Request-Headers", "content-type"),
                ("Origin", ORIGIN),
            ),
        )
        put = WireRequest(
            "PUT",
            url,
            Headers.of(("Accept", "*/*"), ("Content-Type", "application/json"), ("Origin", ORIGIN)),
            body=b'{"a": 1}',
        )
        pairs.append((preflight, put))
    return pairs


async def drive(pairs: list[tuple[WireRequest, WireRequest]], jobs: int, send: Send) -> None:
    queue = iter(pairs)

    async def worker() -> None:
        for preflight, put in queue:
            await send(preflight)
            await send(put)

    await asyncio.gather(*(worker() for _ in range(jobs)))


async def with_prober(pairs: list[tuple[WireRequest, WireRequest]], jobs: int) -> None:
    async with AsyncProber(ProbeOptions(trust_env=False, max_connections=jobs)) as prober:
        await drive(pairs, jobs, prober.send)


async def with_aiohttp(pairs: list[tuple[WireRequest, WireRequest]], jobs: int) -> None:
    import aiohttp

    skip = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=jobs),
        skip_auto_headers=skip,
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=False,
    ) as session:

        async def send(request: WireRequest) -> object:
            headers = [(n, v) for n, v in on_the_wire(request) if n != "Host"]
            async with session.request(
                request.method, request.url, headers=headers, data=request.body
            ) as response:
                await response.read()
                return response.status

        await drive(pairs, jobs, send)


async def with_httpx(pairs: list[tuple[WireRequest, WireRequest]], jobs: int) -> None:
    import httpx

    limits = httpx.Limits(max_connections=jobs)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:

        async def send(request: WireRequest) -> object:
            response = await client.request(
                request.method, request.url, headers=list(request.headers), content=request.body
            )
            return response.status_code

        await drive(pairs, jobs, send)


SENDERS = {"aiohttp": with_aiohttp, "AsyncProber": with_prober, "httpx.AsyncClient": with_httpx}


def measure(sender: str, uvloop: bool, base: str, count: int, jobs: int) -> tuple[float, float]:
    """(CPU ms per check, checks per second) of one run."""
    pairs = checks(base, count)
    factory = None
    if uvloop:
        import uvloop as module

        factory = module.new_event_loop
    cpu, wall = time.process_time(), time.perf_counter()
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(SENDERS[sender](pairs, jobs))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu * 1000 / count, count / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with api_server() as (base, which):
        print(f"{args.checks} checks ({2 * args.checks} requests), {args.jobs} in flight, {which}")
        for uvloop in (False, True):
            for sender in SENDERS:
                measure(sender, uvloop, base, min(200, args.checks), args.jobs)  # warm up
                runs = [
                    measure(sender, uvloop, base, args.checks, args.jobs) for _ in range(args.runs)
                ]
                cpu = statistics.median(r[0] for r in runs)
                rate = statistics.median(r[1] for r in runs)
                loop = "uvloop" if uvloop else "asyncio"
                print(f"  {loop:8} {sender:18} {cpu:5.2f} ms CPU/check  {rate:7.0f} checks/s")


if __name__ == "__main__":
    main()
