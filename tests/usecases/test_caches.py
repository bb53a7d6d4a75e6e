"""The cache probe use case (usecases/caches.py) over the probe's real send, against a scripted
server on 127.0.0.1: which requests it sends, in which order, within its deadline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.errors import ProbeError
from cors_probe.inputs.request import RequestOptions, build
from cors_probe.model import FailureKind, Report, WireRequest, WireResponse
from cors_probe.policy.browsers import CHROMIUM
from cors_probe.probe.client import ProbeOptions, Prober
from cors_probe.usecases import caches, check
from tests.servers import Received, Reply, ScriptedServer

PAGE = "https://app.example.com"


@pytest.fixture(name="prober")
def _prober() -> Iterator[Prober]:
    with Prober(ProbeOptions(timeout=5, trust_env=False)) as prober:
        yield prober


def echo_without_vary(request: Received) -> Reply:
    origin = request.header("Origin")
    pairs = [("Cache-Control", "max-age=300")]
    if origin is not None:
        pairs.append(("Access-Control-Allow-Origin", origin))
    return Reply(200, pairs, body=b"{}")


def checked(server: ScriptedServer, prober: Prober, **given: object) -> Report:
    shape = build(RequestOptions(server.url("/p"), **given))  # type: ignore[arg-type]
    return check.run(shape, prober.send, browsers=(CHROMIUM,), cache_probe=10)


def test_a_get_is_compared_without_origin_with_another_and_with_lookalikes(
    server: ScriptedServer, prober: Prober
) -> None:
    server.route("/p", get=echo_without_vary)
    report = checked(server, prober, origin=PAGE)
    assert report.cache is not None
    origins = [r.header("Origin") for r in server.requests_to("/p")]
    assert origins == [
        PAGE,
        None,
        "https://other-site.example",
        "https://app.example.com.cors-probe.test",
        "https://cors-probe-app.example.com",
        "https://appxexample.com",
        "http://app.example.com",
    ]
    no_origin = server.requests_to("/p")[1]
    assert no_origin.header("Sec-Fetch-Mode") == "no-cors"
    codes = [f.code for f in report.cache.findings]
    assert C.CACHED_WITHOUT_CORS in codes
    assert C.ORIGIN_PATTERN_UNANCHORED not in codes  # it echoes every origin: as `*` would
    cached = next(f for f in report.cache.findings if f.code is C.CACHED_WITHOUT_CORS)
    assert dict(cached.detail) == {
        "seconds": 300,
        "freshness": "max-age",
        "chrome": "img, no-cors, no-cors-include",
        "firefox": "no-cors",
        "safari": "",
    }
    (after,) = report.cache.after_no_cors  # the engines run: Chromium only
    assert (after.browser, after.loads) == ("chrome", ("img", "no-cors", "no-cors-include"))
    assert after.outcome.decisive is not None
    assert after.outcome.decisive.code is C.ACAO_MISSING


def test_without_origin_no_lookalikes_are_sent(server: ScriptedServer, prober: Prober) -> None:
    server.route("/p", get=echo_without_vary)
    checked(server, prober)
    origins = [r.header("Origin") for r in server.requests_to("/p")]
    assert origins == ["https://third-party.example", None, "https://other-site.example"]


def test_the_first_failure_stops_the_probe(server: ScriptedServer, prober: Prober) -> None:
    server.route("/p", get=echo_without_vary)
    report = check.run(build(RequestOptions(server.url("/p"), PAGE)), prober.send)
    sent: list[WireRequest] = []

    def send(request: WireRequest) -> WireResponse:
        sent.append(request)
        if len(sent) == 2:
            raise ProbeError(FailureKind.REFUSED, "connection refused")
        return prober.send(request)

    cache = caches.probe(report, send, seconds=10)
    assert len(sent) == 2
    assert [c.label for c in cache.exchanges] == ["no-origin", "other-origin"]
    failure = cache.exchanges[1].exchange.failure
    assert failure is not None
    assert failure.kind is FailureKind.REFUSED


def test_the_deadline_bounds_the_probe(server: ScriptedServer, prober: Prober) -> None:
    server.route("/p", get=echo_without_vary)
    report = check.run(build(RequestOptions(server.url("/p"), PAGE)), prober.send)
    now = [0.0]

    def send(request: WireRequest) -> WireResponse:
        now[0] += 4.0  # each request takes 4 s on this clock
        return prober.send(request)

    cache = caches.probe(report, send, seconds=10, clock=lambda: now[0])
    assert len(cache.exchanges) == 3  # started at 0, 4 and 8 s; none at 12 s


def test_a_refused_preflight_leaves_nothing_in_the_preflight_cache(
    server: ScriptedServer, prober: Prober
) -> None:
    server.route("/p", options=Reply(204, [("Access-Control-Allow-Origin", PAGE)]))
    report = check.run(
        build(RequestOptions(server.url("/p"), PAGE, "GET", ["X-Token: 1"])),
        prober.send,
        cache_probe=10,
    )
    assert report.cache is not None
    assert report.cache.preflight == {}
    # the GET was never sent (its preflight failed): the preflight answers are compared
    assert {c.exchange.request.method for c in report.cache.exchanges} == {"OPTIONS"}
    assert [r.method for r in server.requests_to("/p")].count("GET") == 0


def test_a_cache_hit_is_told_once_with_how_many_answers_hit(
    server: ScriptedServer, prober: Prober
) -> None:
    server.route("/p", get=Reply(200, [("Access-Control-Allow-Origin", "*"), ("Age", "7")]))
    report = checked(server, prober, origin=PAGE)
    assert report.cache is not None
    (hit,) = [f for f in report.cache.findings if f.code is C.SHARED_CACHE_HIT]
    assert dict(hit.detail) == {"request": "page", "age": 7, "hits": 7}


def test_a_server_reflecting_every_origin_with_credentials_is_told_once(
    server: ScriptedServer, prober: Prober
) -> None:
    def reflect(request: Received) -> Reply:
        origin = request.header("Origin") or ""
        return Reply(
            200,
            [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true")],
        )

    server.route("/p", get=reflect)
    report = checked(server, prober, origin=PAGE, credentials=True)
    assert report.cache is not None
    (told,) = [f for f in report.cache.findings if f.code is C.ORIGIN_REFLECTED_WITH_CREDENTIALS]
    assert dict(told.detail) == {"origin": "https://other-site.example", "pattern": "any"}
    assert C.ORIGIN_PATTERN_UNANCHORED not in {f.code for f in report.cache.findings}
