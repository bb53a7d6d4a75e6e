"""The preflight cache as the referee: the same preflighted fetch() twice in a row, with each
Access-Control-Max-Age variant; whether the engine asks again (a second OPTIONS) must match
`cors-probe check`'s `cache.preflight_cache` for that engine (0 s: asks again; more: it does not,
within those seconds). Source of the rule: https://fetch.spec.whatwg.org/#cors-preflight-cache."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Engines
from tests.browser.engines import NAMES, OPTIONS
from tests.browser.referee import engine_fetch, run_check, servers
from tests.conftest import _clean_env, cli_command
from tests.servers import Received, Reply

pytestmark = pytest.mark.browser

MAX_AGES = {
    "absent": None,
    "600": "600",
    "zero": "0",
    "negative": "-1",
    "word": "abc",
    "dec": "1.5",
}

_MEASURED: dict[str, dict[str, tuple[bool, dict[str, Any]]]] = {}


def _answers(value: str | None) -> tuple[Any, Any]:
    def preflight(request: Received) -> Reply:
        pairs = [
            ("Access-Control-Allow-Origin", request.header("Origin") or ""),
            ("Access-Control-Allow-Headers", "x-a"),
        ]
        if value is not None:
            pairs.append(("Access-Control-Max-Age", value))
        return Reply(204, pairs)

    def get(request: Received) -> Reply:
        return Reply(200, [("Access-Control-Allow-Origin", request.header("Origin") or "")])

    return preflight, get


def measured(engines: Engines, name: str) -> dict[str, tuple[bool, dict[str, Any]]]:
    """Per Max-Age variant: whether the engine sent a second preflight, and cors-probe's entry."""
    if name in _MEASURED:
        return _MEASURED[name]
    engine = engines.get(name)
    found: dict[str, tuple[bool, dict[str, Any]]] = {}
    with servers() as (page, api, place):
        engine.navigate(page.url("/"))
        for label, value in MAX_AGES.items():
            path = f"/max-age/{name}/{label}"
            preflight, get = _answers(value)
            api.route(path, options=preflight, get=get)
            url = place.api + path
            for _ in range(2):
                engine_fetch(engine, url, "GET", [("X-A", "1")], False, None)
            again = [r.method for r in api.requests_to(path)].count("OPTIONS") == 2
            arguments = ["check", url, "-o", place.origin, "-H", "X-A: 1", "-b", OPTIONS[name]]
            probe = run_check(cli_command(), _clean_env(), [*arguments, "-f", "json"])
            assert probe.document is not None, probe.stderr
            found[label] = (again, probe.document["cache"]["preflight_cache"][name])
    _MEASURED[name] = found
    return found


@pytest.mark.parametrize("label", list(MAX_AGES))
@pytest.mark.parametrize("engine", NAMES)
def test_cors_probe_says_whether_the_engine_asks_again(
    engine: str, label: str, engines: Engines
) -> None:
    again, entry = measured(engines, engine)[label]
    assert (entry["seconds"] == 0) is again, f"{engine}, Max-Age {label}: {entry}, again={again}"
    assert entry["headers"] == ["x-a"]
