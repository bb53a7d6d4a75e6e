"""`check.run` (a synchronous send) and `check.arun` (an async one) drive the same `check.steps`:
for the same server they send the same requests and give equal Reports, timings aside."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cors_probe.errors import ProbeError
from cors_probe.inputs.request import RequestOptions, build
from cors_probe.model import FailureKind, Headers, Report, WireRequest, WireResponse
from cors_probe.policy.browsers import BROWSERS
from cors_probe.probe.client import ProbeOptions, Prober
from cors_probe.render.json import to_dict
from cors_probe.usecases import check
from tests.servers import Received, Reply, ScriptedServer

PAGE = "http://localhost:3000"
ALLOW = [("Access-Control-Allow-Origin", PAGE)]
PREFLIGHT_OK = Reply(
    204,
    [*ALLOW, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "x-a")],
)
TIMINGS = {"duration_ms", "elapsed_ms", "seconds", "preflight_ms"}
"""Keys whose values are times measured on the wire: they differ from one run to the next."""


def _redirect(to: str) -> Callable[[Received], Reply]:
    return lambda _: Reply(307, [("Location", to), *ALLOW])


# (id, routes {path: {method: reply}}, options: path, method, headers, credentials, deadline)
Scene = tuple[str, dict[str, dict[str, Any]], str, str, tuple[str, ...], bool, float | None]
SCENES: list[Scene] = [
    ("allowed", {"/a": {"any": Reply(200, ALLOW)}}, "/a", "GET", (), False, None),
    ("no-acao", {"/a": {"any": Reply(200)}}, "/a", "GET", (), False, None),
    (
        "preflight-blocked",
        {"/p": {"options": Reply(204), "put": Reply(200, ALLOW)}},
        "/p",
        "PUT",
        ("X-A: 1",),
        False,
        None,
    ),
    (
        "preflight-passes",
        {"/p": {"options": PREFLIGHT_OK, "put": Reply(200, ALLOW)}},
        "/p",
        "PUT",
        ("X-A: 1",),
        False,
        None,
    ),
    (
        "redirects",
        {
            "/r": {"any": _redirect("/r2")},
            "/r2": {"any": _redirect("/end")},
            "/end": {"any": Reply(200, ALLOW)},
        },
        "/r",
        "GET",
        (),
        False,
        None,
    ),
    (
        "credentials-wildcard",
        {"/c": {"any": Reply(200, [("Access-Control-Allow-Origin", "*")])}},
        "/c",
        "GET",
        (),
        True,
        None,
    ),
    (
        "deadline-passes",
        {"/slow": {"any": Reply(200, ALLOW, delay=0.5)}},
        "/slow",
        "GET",
        (),
        False,
        0.1,
    ),
    ("unreachable", {}, "unreachable", "GET", (), False, None),
]


@pytest.fixture(name="prober")
def _prober() -> Iterator[Prober]:
    with Prober(ProbeOptions(timeout=5.0)) as prober:
        yield prober


def _untimed(value: Any) -> Any:
    """A JSON report without its measured times (keys in TIMINGS, "took 3 ms" in words)."""
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k not in TIMINGS}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    if isinstance(value, str):
        return re.sub(r"took \d+ ms", "took N ms", value)
    return value


def _closed_port_url() -> str:
    with ScriptedServer().start() as gone:
        return gone.url("/gone")


@pytest.mark.parametrize("engines", [1, 3], ids=["chromium", "all"])
@pytest.mark.parametrize("scene", SCENES, ids=[s[0] for s in SCENES])
def test_arun_and_run_give_equal_reports(scene: Scene, engines: int, prober: Prober) -> None:
    _, routes, path, method, headers, credentials, deadline = scene
    with ScriptedServer().start() as server:
        for route, table in routes.items():
            server.route(route, **table)
        url = _closed_port_url() if path == "unreachable" else server.url(path)
        shape = build(RequestOptions(url, PAGE, method, headers, credentials))
        given: dict[str, Any] = {
            "browsers": BROWSERS[:engines],
            "consent": lambda _: True,
            "deadline": deadline,
        }
        sent: list[tuple[str, str]] = []

        def progress(step: Any) -> None:
            sent.append((step.request.method, step.request.url))

        synchronous = check.run(shape, check.Timed(prober.send, 5.0), progress=progress, **given)
        sync_sent, sent[:] = list(sent), []

        async def send(request: WireRequest, timeout: float | None) -> WireResponse:
            return await asyncio.to_thread(prober.send, request, timeout)

        asynchronous = asyncio.run(check.arun(shape, send, timeout=5.0, progress=progress, **given))
    assert sent == sync_sent
    assert _untimed(to_dict(asynchronous)) == _untimed(to_dict(synchronous))


def _report_of(flow: check.Steps, answer: Callable[[check.Outgoing], WireResponse]) -> Report:
    try:
        out = next(flow)
        while True:
            try:
                reply: WireResponse | ProbeError = answer(out)
            except ProbeError as error:
                reply = error
            out = flow.send(reply)
    except StopIteration as stop:
        report: Report = stop.value
        return report


def test_steps_cut_each_requests_timeout_to_what_is_left_of_the_deadline() -> None:
    clock = [0.0]
    timeouts: list[float | None] = []

    def answer(out: check.Outgoing) -> WireResponse:
        """A redirect after 0.4 s; the third request times out."""
        timeouts.append(out.timeout)
        clock[0] += 0.4
        if len(timeouts) == 3:
            raise ProbeError(FailureKind.TIMEOUT, "timed out")
        return WireResponse(307, Headers.of(("Location", "/next"), *ALLOW))

    shape = build(RequestOptions("http://127.0.0.1:9/a", PAGE))
    flow = check.steps(shape, deadline=1.0, timeout=0.5, clock=lambda: clock[0])
    report = _report_of(flow, answer)
    assert timeouts == pytest.approx([0.5, 0.5, 0.2])  # 1.0 s less the 0.8 s already spent
    decisive = report.outcome.decisive
    assert decisive is not None
    reason = "the conversation's deadline of 1 s passed after 2 redirects"
    assert decisive.detail["reason"] == reason
