"""`usecases.run` on one event loop: checks are started lazily (at most `--jobs` in flight, no
task per check up front), results come back in file order, `--rate` paces each host on its own,
and a cancelled run (Ctrl-C) starts no further check."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

import pytest

from cors_probe.inputs.request import RequestOptions, build
from cors_probe.model import WireRequest, WireResponse
from cors_probe.usecases.results import CheckResult, Status
from cors_probe.usecases.run import run
from cors_probe.usecases.simulate import answerer
from cors_probe.usecases.spec import CheckSpec, PolicyFile
from tests.subjects import API, GOOD, PAGE


def _policy(urls: Iterable[str]) -> PolicyFile:
    specs = tuple(
        CheckSpec(f"c{i}", i + 1, build(RequestOptions(url, PAGE)), "app", "allowed")
        for i, url in enumerate(urls)
    )
    return PolicyFile("cors-probe.toml", specs)


class Counting:
    """Answers GOOD's answers after `delay(request)` seconds; counts the requests and the
    tasks alive while each is in flight."""

    def __init__(self, delay: float = 0.002) -> None:
        self.delay = delay
        self.in_flight = 0
        self.most_in_flight = 0
        self.most_tasks = 0
        self.sent: list[tuple[float, str]] = []
        self.answer = answerer(GOOD)

    async def open(self, urls: Iterable[str]) -> None:
        del urls

    async def send(self, request: WireRequest, timeout: float | None = None) -> WireResponse:
        self.sent.append((time.monotonic(), request.url))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.most_tasks = max(self.most_tasks, len(asyncio.all_tasks()))
        try:
            index = int(request.url.rsplit("/", 1)[-1])
            await asyncio.sleep(self.delay * (1 + index % 3))  # finish out of file order
        finally:
            self.in_flight -= 1
        return self.answer(request)


@pytest.mark.parametrize("jobs", [1, 4, 16])
def test_at_most_jobs_checks_are_in_flight_and_none_is_created_up_front(jobs: int) -> None:
    transport = Counting()
    policy = _policy(f"{API}/items/{i}" for i in range(200))
    finished: list[int] = []
    ran = asyncio.run(
        run(policy, transport, jobs=jobs, progress=lambda done, _, __: finished.append(done))
    )
    assert transport.most_in_flight == jobs  # every worker busy, never one more
    assert transport.most_tasks <= jobs + 1  # the workers and the run itself: no task per check
    assert finished == list(range(1, 201))
    assert [r.spec.name for r in ran.results] == [f"c{i}" for i in range(200)]  # file order
    assert {r.status for r in ran.results} == {Status.PASSED}


def test_rate_paces_each_host_on_its_own() -> None:
    transport = Counting(delay=0.0)
    hosts = ("a.example", "b.example")
    policy = _policy(f"https://{host}/items/{i}" for i in range(5) for host in hosts)
    started = time.monotonic()
    asyncio.run(run(policy, transport, jobs=10, rate=20))  # 20 requests/s: 50 ms apart
    times = {
        host: [t for t, url in transport.sent if urlsplit(url).netloc == host] for host in hosts
    }
    for host in hosts:
        assert len(times[host]) == 5
        # the n-th request to a host never leaves before its slot, n x 50 ms after the run
        # began (a loaded machine only makes requests later, so this holds under any load)
        assert all(t - started >= n * 0.05 - 0.005 for n, t in enumerate(times[host])), times
    # side by side, not one after the other: b's first request leaves before a's last
    assert times["b.example"][0] < times["a.example"][-1]


def test_a_cancelled_run_starts_no_further_check() -> None:
    hanging = asyncio.Event()  # never set: every request hangs until cancelled

    class Hanging(Counting):
        async def send(self, request: WireRequest, timeout: float | None = None) -> WireResponse:
            self.sent.append((time.monotonic(), request.url))
            await hanging.wait()
            raise AssertionError("unreachable")

    transport = Hanging()
    policy = _policy(f"{API}/items/{i}" for i in range(20))
    results: list[CheckResult] = []

    def keep(_: int, result: CheckResult, __: object) -> None:
        results.append(result)

    async def interrupted() -> float:
        task = asyncio.create_task(run(policy, transport, jobs=3, on_report=keep))
        while len(transport.sent) < 3:
            await asyncio.sleep(0.001)
        task.cancel()  # what asyncio.run does on Ctrl-C
        started = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.05)  # a worker that went on would send by now
        return time.monotonic() - started

    assert asyncio.run(interrupted()) < 1
    assert len(transport.sent) == 3
    assert results == []


def test_a_cancelled_run_wakes_the_checks_waiting_for_their_slot() -> None:
    transport = Counting(delay=0.0)
    policy = _policy(f"{API}/items/{i}" for i in range(6))

    async def interrupted() -> float:
        task = asyncio.create_task(run(policy, transport, jobs=6, rate=0.5))  # one every 2 s
        while not transport.sent:
            await asyncio.sleep(0.001)
        await asyncio.sleep(0.05)  # the other five wait for their slots, 2 to 10 s away
        task.cancel()
        started = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - started

    assert asyncio.run(interrupted()) < 1.5  # the next slot was 2 s away, the last 10 s
    assert len(transport.sent) == 1
