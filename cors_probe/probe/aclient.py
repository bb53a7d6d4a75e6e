"""TEMPORARY adapter (replaced by the a13-probe branch's aiohttp-based AsyncProber): the
interface `cors-probe run` sends through, over the synchronous Prober in worker threads."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from cors_probe.probe.client import ProbeOptions, Prober

if TYPE_CHECKING:
    import httpx

    from cors_probe.model import WireRequest, WireResponse


class AsyncProber:
    """`Prober.send` awaited: each request in a thread of a pool of `max_connections`."""

    def __init__(
        self, options: ProbeOptions, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        if transport is not None:
            raise NotImplementedError("the temporary adapter takes no transport")
        self._prober = Prober(options)
        self._pool = ThreadPoolExecutor(max(1, options.max_connections), "cors-probe-send")

    async def open(self, urls: Iterable[str]) -> None:
        """As `Prober.open`."""
        wanted = list(urls)
        await asyncio.get_running_loop().run_in_executor(self._pool, self._prober.open, wanted)

    async def send(self, request: WireRequest, timeout: float | None = None) -> WireResponse:
        """As `Prober.send` (ProbeError when no response came)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._prober.send, request, timeout)

    def abort(self) -> None:
        """Every request in flight fails at once ("interrupted: cors-probe is stopping")."""
        self._prober.close()

    async def aclose(self) -> None:
        self._prober.close()
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def __aenter__(self) -> AsyncProber:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()
