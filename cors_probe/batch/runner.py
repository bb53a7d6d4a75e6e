"""Run a policy's checks concurrently over one shared client, politely, each exactly as `check`.

Threads, not asyncio: each check is the same synchronous conversation `check` runs (the policy
core is a generator; the probe sends over httpx.Client, which is thread-safe), so the batch
adds nothing to the engine and shares one connection pool. `--rate` spaces the requests to each
host; `--jobs` bounds how many checks are in flight.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from urllib.parse import urlsplit

from cors_probe import check
from cors_probe.batch.options import Unreachable
from cors_probe.batch.results import CheckResult, evaluate
from cors_probe.batch.spec import CheckSpec, PolicyFile
from cors_probe.model import Report, WireRequest, WireResponse

Progress = Callable[[int, int, CheckResult], None]
OnReport = Callable[[int, CheckResult, Report], None]
"""Called in the worker with each check's index, result and full report, before the report is
let go (the JSON format spools it)."""


class HostPacer:
    """At most `rate` requests per second to each host (0: no limit)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, url: str) -> None:
        if not self._interval:
            return
        host = urlsplit(url).netloc
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + self._interval
        if slot > now:
            time.sleep(slot - now)


def run_policy(
    policy: PolicyFile,
    send: Callable[[CheckSpec, WireRequest], WireResponse],
    *,
    jobs: int = 8,
    rate: float = 0.0,
    unreachable: Unreachable = Unreachable.ERROR,
    progress: Progress | None = None,
    on_report: OnReport | None = None,
) -> list[CheckResult]:
    """Every check, in file order; `send(spec, request)` performs one request (the probe)."""
    pacer = HostPacer(rate)

    def one(index: int, spec: CheckSpec) -> CheckResult:
        def paced(request: WireRequest) -> WireResponse:
            pacer.wait(request.url)
            return send(spec, request)

        # consent was settled before the run: by allow_side_effects in the file, or --yes
        report = check.run(spec.shape, paced, consent=lambda _: True)
        result = evaluate(spec, report, unreachable)
        if on_report is not None:
            on_report(index, result, report)
        return result

    results: dict[int, CheckResult] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="cors-probe-run")
    try:
        futures = {pool.submit(one, i, spec): i for i, spec in enumerate(policy.checks)}
        for done, future in enumerate(as_completed(futures), 1):
            result = future.result()
            results[futures[future]] = result
            if progress is not None:
                progress(done, len(futures), result)
    except BaseException:
        # Ctrl-C (or a bug): start no further checks; those in flight end with their time-outs
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return [results[i] for i in range(len(policy.checks))]
