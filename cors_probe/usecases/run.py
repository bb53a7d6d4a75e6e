"""`cors-probe run`: a policy's checks, concurrently on one event loop over one transport,
politely, each exactly as `check`, compared with a baseline when one is given.

Each check is the same sans-I/O conversation `check` runs (`check.steps`), driven by
`check.arun` over an async transport (the probe's `AsyncProber`, or a test's fake): the batch
adds nothing to the engine and shares one connection pool. `--jobs` worker tasks take the checks
one after another (never a task per check up front: a run of 20,000 checks holds `--jobs` of
them at a time); `--rate` spaces the requests to each host. Consent is settled before anything
is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlsplit

from cors_probe.errors import UsageError
from cors_probe.model import Report, WireRequest, WireResponse
from cors_probe.policy.browsers import named
from cors_probe.policy.safelist import has_side_effects
from cors_probe.usecases import check
from cors_probe.usecases.baseline import Prior, compare, known_failures
from cors_probe.usecases.results import CheckResult, Run, evaluate
from cors_probe.usecases.spec import CheckSpec, PolicyFile, Unreachable

Progress = Callable[[int, int, CheckResult], None]
OnReport = Callable[[int, CheckResult, Report], None]
"""Called on the event loop with each check's index, result and full report as it finishes,
before the report is let go (the JSON format spools it)."""
Sender = Callable[[CheckSpec, WireRequest, float], Awaitable[WireResponse]]
"""`await send(spec, request, seconds)`: one of `spec`'s requests within `seconds`."""


class HostPacer:
    """At most `rate` requests per second to each host (0: no limit), on the running loop: each
    request to a host takes the next slot, `1 / rate` seconds after the previous one's."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next: dict[str, float] = {}
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Wake every waiting check at once (Ctrl-C): it goes on to fail fast, not to wait.
        Call it on the loop's thread (a task, a callback, the loop's signal handler)."""
        self._stopping.set()

    async def wait(self, url: str) -> None:
        """Until `url`'s host's next slot (at once when stopped or unpaced)."""
        if not self._interval or self._stopping.is_set():
            return
        host = urlsplit(url).netloc
        now = time.monotonic()
        slot = max(now, self._next.get(host, now))
        self._next[host] = slot + self._interval
        if slot > now:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), slot - now)


class AsyncTransport(Protocol):
    """What a run sends through (the probe's `AsyncProber`, or a test's fake)."""

    async def open(self, urls: Iterable[str]) -> None:
        """Be ready to send to these URLs at once (clients built, CA bundles loaded)."""

    async def send(self, request: WireRequest, timeout: float | None = None) -> WireResponse:
        """One round trip (ProbeError when no response came), `timeout` in seconds."""
        ...


def needing_consent(policy: PolicyFile) -> list[CheckSpec]:
    """Checks whose method has side effects and whose table does not allow them."""
    return [
        c for c in policy.checks if has_side_effects(c.shape.method) and not c.allow_side_effects
    ]


def require_consent(policy: PolicyFile) -> None:
    """UsageError (nothing sent) naming the first side-effecting check without consent."""
    unconsented = needing_consent(policy)
    if unconsented:
        first = unconsented[0]
        more = f" ({len(unconsented)} checks need it)" if len(unconsented) > 1 else ""
        raise UsageError(
            f"{policy.path}:{first.line}: check {first.name!r} sends {first.shape.method} "
            f"{first.shape.url}, which may change data on the server: add "
            f"allow_side_effects = true to it, or run with --yes{more}; nothing was sent"
        )


async def run(
    policy: PolicyFile,
    transport: AsyncTransport,
    *,
    yes: bool = False,
    jobs: int = 8,
    rate: float = 0.0,
    unreachable: Unreachable = Unreachable.ERROR,
    baseline: tuple[str, dict[str, Prior]] | None = None,
    progress: Progress | None = None,
    on_report: OnReport | None = None,
    deadline: float | None = None,
) -> Run:
    """The whole run: consent (UsageError unless every side-effecting check has it, or `yes`),
    every check through `transport`, then the comparison with `baseline` (its path, its checks).

    Each request's time-out is its check's `timeout` (the whole request: headers and capped
    body); each check's conversation may take `deadline` seconds of sending (default: its
    time-out x check.DEADLINE_FACTOR), each request bounded by what is left of it. Cancelled
    (Ctrl-C): no further check starts and the cancellation propagates; the caller aborts the
    transport."""
    if not yes:
        require_consent(policy)
    await transport.open(spec.shape.url for spec in policy.checks)
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    clock = time.perf_counter()

    async def send(spec: CheckSpec, request: WireRequest, budget: float) -> WireResponse:
        return await transport.send(request, timeout=budget)

    results = await run_policy(
        policy,
        send,
        jobs=jobs,
        rate=rate,
        unreachable=unreachable,
        progress=progress,
        on_report=on_report,
        deadline=deadline,
    )
    seconds = time.perf_counter() - clock
    if baseline is None:
        return Run(policy, results, started, seconds)
    path, priors = baseline
    changes = compare(results, priors)
    known = known_failures(results, changes)
    return Run(policy, results, started, seconds, path, tuple(changes), known)


async def run_policy(
    policy: PolicyFile,
    send: Sender,
    *,
    jobs: int = 8,
    rate: float = 0.0,
    unreachable: Unreachable = Unreachable.ERROR,
    progress: Progress | None = None,
    on_report: OnReport | None = None,
    deadline: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> list[CheckResult]:
    """Every check, results in file order, each in its engine (`spec.browser`): a check the file
    runs in several engines is one check per engine, each its own conversation (the report names
    the other engines that would decide otherwise on the same answers, `Report.contrasts`).
    `await send(spec, request, seconds)` performs one request (the probe) within `seconds`: the
    check's time-out, or less when its deadline is nearer. At most `jobs` checks are in flight:
    `jobs` worker tasks each take the next check when theirs is done. `progress(done, total,
    result)` and `on_report` are called as each check finishes, in the order they finish;
    without `on_report` nothing shows a check's report, so the engines not run are not replayed
    (`check.arun(compare=False)`: the results are the same, `contrasts` unmade)."""
    pacer = HostPacer(rate)
    total = len(policy.checks)
    results: list[CheckResult | None] = [None] * total
    pending = iter(enumerate(policy.checks))
    done = 0

    async def one(index: int, spec: CheckSpec) -> CheckResult:
        limit = check.default_deadline(spec.timeout, deadline)
        spent = 0.0  # seconds spent sending: waiting for --rate's slot is not the server's time

        def sending() -> float:
            return spent

        async def paced(request: WireRequest, timeout: float | None) -> WireResponse:
            del timeout  # the budget is computed here, on the time spent sending alone
            nonlocal spent
            await pacer.wait(request.url)
            started = clock()
            try:
                return await send(spec, request, max(0.001, min(spec.timeout, limit - spent)))
            finally:
                spent += clock() - started

        # consent was settled before the run: by allow_side_effects in the file, or --yes
        report = await check.arun(
            spec.shape,
            paced,
            browsers=(named(spec.browser),),
            consent=lambda _: True,
            deadline=limit,
            clock=sending,
            compare=on_report is not None,  # only a report shows the engines not run
        )
        result = evaluate(spec, report, unreachable)
        if on_report is not None:
            on_report(index, result, report)
        return result

    async def worker() -> None:
        nonlocal done
        for index, spec in pending:  # shared by the workers: each check is taken once
            result = await one(index, spec)
            results[index] = result
            done += 1
            if progress is not None:
                progress(done, total, result)

    workers = [asyncio.create_task(worker()) for _ in range(min(max(1, jobs), total))]
    try:
        await asyncio.gather(*workers)
    except BaseException:
        # Ctrl-C (the run is cancelled) or a bug: start no further checks, wake those waiting
        # for their pacing slot; those on the wire end when the caller aborts the transport
        pacer.stop()
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        raise
    return [r for r in results if r is not None]
