"""cors-probe's verdicts against each live engine, scenario by scenario (see scenarios.py).

For each engine (Chromium, Firefox, WebKit) and each scenario: the verdict of
`cors-probe check --browser X` equals the engine's outcome, `preflight.required` equals whether
the engine sent a preflight, the engine's console lines predicted for the first error finding
equal every line the engine printed, character for character, and the readable response headers
are the ones script could read.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.browser.conftest import Engines
from tests.browser.engines import NAMES
from tests.browser.referee import Comparison, referee
from tests.browser.scenarios import SCENARIOS
from tests.conftest import _clean_env, cli_command

pytestmark = pytest.mark.browser

_MEASURED: dict[str, dict[str, Comparison]] = {}


def comparisons(engines: Engines, engine: str) -> dict[str, Comparison]:
    """Every scenario measured in `engine` and checked with cors-probe, once per session."""
    if engine not in _MEASURED:
        results = referee(engines.get(engine), SCENARIOS, cli_command(), _clean_env())
        _MEASURED[engine] = {c.scenario.name: c for c in results}
    return _MEASURED[engine]


def test_the_table_covers_every_rule_family() -> None:
    families = Counter(s.family for s in SCENARIOS)
    assert len(SCENARIOS) >= 200
    assert len({s.name for s in SCENARIOS}) == len(SCENARIOS)
    for family in (
        "acao",
        "credentials",
        "trigger",
        "method",
        "preflight",
        "allow-headers",
        "max-age",
        "redirect",
        "expose",
        "error",
        "engines",
        "fetch-metadata",
        "modes",
        "location-bytes",
        "same-then-cross",
    ):
        assert families[family] > 0, family


@pytest.mark.parametrize("name", [s.name for s in SCENARIOS])
@pytest.mark.parametrize("engine", NAMES)
def test_cors_probe_agrees_with_the_engine(engine: str, name: str, engines: Engines) -> None:
    c = comparisons(engines, engine)[name]
    context = (
        f"{engine} received {c.engine.received}, error {c.engine.error}; "
        f"probe codes {c.probe.codes} {c.probe.stderr}"
    )
    assert c.probe.verdict == c.engine_verdict, context
    assert c.probe.preflight_required == c.engine.preflight_sent, context
    if not c.engine.resolved:
        assert c.engine.console, f"{engine} printed no console line"
        assert c.probe.console == c.engine.console
    elif c.readable_agrees is not None:
        assert sorted(c.probe.readable) == sorted(c.engine.readable)
    if c.probe.verdict == "allowed":
        assert c.probe.exit_code == 0
    else:
        assert c.probe.exit_code == 1


@pytest.mark.parametrize("engine", NAMES)
def test_headers_the_browser_drops_are_the_ones_reported(engine: str, engines: Engines) -> None:
    """Forbidden headers (Cookie, Referer) and, in Chromium, User-Agent never reach the server as
    the script wrote them; cors-probe names exactly those."""
    checked = 0
    for c in comparisons(engines, engine).values():
        if c.engine.actual_sent:
            checked += 1
            assert sorted(c.probe.dropped) == sorted(c.engine.lost), c.scenario.name
    assert checked > 100


@pytest.mark.parametrize("engine", NAMES)
def test_the_response_type_is_the_engines(engine: str, engines: Engines) -> None:
    """`actual.response_type` is `response.type` as script saw it (basic, cors, opaque,
    opaqueredirect) whenever both resolve."""
    checked = 0
    for c in comparisons(engines, engine).values():
        if c.engine.resolved and c.probe.document is not None:
            checked += 1
            assert c.probe.document["actual"]["response_type"] == c.engine.type, c.scenario.name
    assert checked > 50


@pytest.mark.parametrize("engine", NAMES)
def test_the_actual_request_reaches_the_server_when_the_engine_sends_it(
    engine: str, engines: Engines
) -> None:
    """A blocked preflight means no actual request, in the engine and in the report alike."""
    for c in comparisons(engines, engine).values():
        if c.engine.preflight_sent and not c.engine.actual_sent:
            assert c.probe.verdict == "blocked", c.scenario.name


TRANSPORT = frozenset({"host", "connection", "content-length"})
"""Set by each HTTP stack itself (httpx here), not by the engine's fetch()."""
IDENTITY = frozenset(
    {"user-agent", "accept-language", "accept-encoding", "sec-ch-ua", "sec-ch-ua-platform"}
)
"""Values that name the build: the referee runs Linux (and headless) builds, cors-probe sends
a current desktop release's; their names and places are compared, not their values."""
ON_THE_WIRE = (
    "trigger-custom-header",
    "acao-get-credentials-exact",
    "redirect-cross-origin-acao-wildcard",
    "engines-redirect-then-preflight-echo",
    "fetch-metadata-isolation-put",
)


def _pairs(headers: list[list[str]] | list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(n.lower(), v) for n, v in headers if n.lower() not in TRANSPORT]


@pytest.mark.parametrize("name", ON_THE_WIRE)
@pytest.mark.parametrize("engine", NAMES)
def test_the_requests_are_the_engines_header_for_header(
    engine: str, name: str, engines: Engines
) -> None:
    """Every request the engine sent, as cors-probe sends it: the same header names, the
    engine's own headers in its order, and the same Origin, Referer, Fetch Metadata, Accept,
    Access-Control-Request-* and Priority values."""
    c = comparisons(engines, engine)[name]
    document = c.probe.document
    assert document is not None, c.probe.stderr
    sent = [e["request"] for e in document["exchanges"] if e["sent"]]
    assert [(r["method"], r["url"].split("/s/", 1)[1]) for r in sent] == [
        (r.method, r.path.split("/s/", 1)[1]) for r in c.engine.requests
    ]
    script = {n.lower() for n, _ in c.scenario.headers}
    for probe, measured in zip(sent, c.engine.requests, strict=True):
        ours, theirs = _pairs(probe["headers"]), _pairs(measured.headers)
        assert sorted(n for n, _ in ours) == sorted(n for n, _ in theirs), probe["method"]
        own = [n for n, _ in theirs if n not in script]
        assert [n for n, _ in ours if n not in script] == own, probe["method"]
        values = dict(theirs)
        for header, value in ours:
            if header not in IDENTITY | script:  # script values may be masked as secrets
                assert value == values[header], (probe["method"], header)


LOCATION_BYTES = [s.name for s in SCENARIOS if s.family == "location-bytes"]


@pytest.mark.parametrize("name", LOCATION_BYTES)
@pytest.mark.parametrize("engine", NAMES)
def test_a_location_s_bytes_are_requested_as_the_engine_requests_them(
    engine: str, name: str, engines: Engines
) -> None:
    """A redirect's raw Location bytes (valid UTF-8, not UTF-8, in the path, in the query): every
    URL cors-probe requested is, byte for byte, the one the engine requested."""
    c = comparisons(engines, engine)[name]
    document = c.probe.document
    assert document is not None, c.probe.stderr
    sent = [e["request"] for e in document["exchanges"] if e["sent"]]
    assert [f"{r['method']} /s/{r['url'].split('/s/', 1)[1]}" for r in sent] == list(
        c.engine.received
    )


@pytest.mark.parametrize("engine", NAMES)
def test_the_modes_requests_carry_the_engines_headers_and_values(
    engine: str, engines: Engines
) -> None:
    """Every request of the `modes` family as the engine sent it, header names and values
    (`Sec-Fetch-Mode: no-cors`, `Origin` on a no-cors POST only); the order is not compared:
    the engines order a no-cors request's headers their own way, not modelled."""
    checked = 0
    for c in comparisons(engines, engine).values():
        if c.scenario.family != "modes" or c.probe.document is None:
            continue
        sent = [e["request"] for e in c.probe.document["exchanges"] if e["sent"]]
        assert len(sent) == len(c.engine.requests), c.scenario.name
        script = {n.lower() for n, _ in c.scenario.headers}
        for probe, measured in zip(sent, c.engine.requests, strict=True):
            ours, theirs = _pairs(probe["headers"]), _pairs(measured.headers)
            assert sorted(n for n, _ in ours) == sorted(n for n, _ in theirs), c.scenario.name
            values = dict(theirs)
            for header, value in ours:
                if header not in IDENTITY | script:
                    assert value == values[header], (c.scenario.name, header)
            checked += 1
    assert checked >= 20
