"""`cors-probe run`: a policy's checks, concurrently over one shared client, politely, each
exactly as `check`, compared with a baseline when one is given.

Threads, not asyncio: each check is the same synchronous conversation `check` runs (the policy
core is a generator; the probe sends over httpx.Client, which is thread-safe), so the batch
adds nothing to the engine and shares one connection pool. `--rate` spaces the requests to each
host; `--jobs` bounds how many checks are in flight. Consent is settled before anything is sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
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
"""Called in the worker with each check's index, result and full report, before the report is
let go (the JSON format spools it)."""


class HostPacer:
    """At most `rate` requests per second to each host (0: no limit)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def stop(self) -> None:
        """Wake every waiting check at once (Ctrl-C): it goes on to fail fast, not to wait."""
        self._stopping.set()

    def wait(self, url: str) -> None:
        if not self._interval:
            return
        host = urlsplit(url).netloc
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + self._interval
        if slot > now:
            self._stopping.wait(slot - now)


class Transport(Protocol):
    """What a run sends through (the probe's `Prober`, or a test's fake)."""

    def open(self, urls: Iterable[str]) -> None:
        """Be ready to send to these URLs at once (clients built, CA bundles loaded)."""

    def send(self, request: WireRequest, timeout: float | None = None) -> WireResponse:
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


def run(
    policy: PolicyFile,
    transport: Transport,
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
    time-out x check.DEADLINE_FACTOR), each request bounded by what is left of it."""
    if not yes:
        require_consent(policy)
    transport.open(spec.shape.url for spec in policy.checks)
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    clock = time.perf_counter()

    def send(spec: CheckSpec, request: WireRequest, budget: float) -> WireResponse:
        return transport.send(request, timeout=budget)

    results = run_policy(
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


def run_policy(
    policy: PolicyFile,
    send: Callable[[CheckSpec, WireRequest, float], WireResponse],
    *,
    jobs: int = 8,
    rate: float = 0.0,
    unreachable: Unreachable = Unreachable.ERROR,
    progress: Progress | None = None,
    on_report: OnReport | None = None,
    deadline: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> list[CheckResult]:
    """Every check, in file order, each in its engine (`spec.browser`): a check the file runs in
    several engines is one check per engine, each its own conversation (the report names the
    other engines that would decide otherwise on the same answers, `Report.contrasts`).
    `send(spec, request, seconds)` performs one request (the probe) within `seconds`: the
    check's time-out, or less when its deadline is nearer."""
    pacer = HostPacer(rate)

    def one(index: int, spec: CheckSpec) -> CheckResult:
        limit = check.default_deadline(spec.timeout, deadline)
        spent = 0.0  # seconds spent sending: waiting for --rate's slot is not the server's time

        def sending() -> float:
            return spent

        def paced(request: WireRequest) -> WireResponse:
            nonlocal spent
            pacer.wait(request.url)
            started = clock()
            try:
                return send(spec, request, max(0.001, min(spec.timeout, limit - spent)))
            finally:
                spent += clock() - started

        # consent was settled before the run: by allow_side_effects in the file, or --yes
        report = check.run(
            spec.shape,
            paced,
            browsers=(named(spec.browser),),
            consent=lambda _: True,
            deadline=limit,
            clock=sending,
        )
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
        # Ctrl-C (or a bug): start no further checks and wake those waiting for their pacing
        # slot; those on the wire fail at once when the caller closes the transport
        pacer.stop()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return [results[i] for i in range(len(policy.checks))]
