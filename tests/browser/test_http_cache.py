"""The browser's HTTP cache as the referee: a page first loads a URL without CORS (an <img>, or
fetch() in no-cors mode), which caches the answer without Access-Control-Allow-Origin; then
fetch() in cors mode asks for the same URL. Each engine is measured live (its cache enabled, as
users run it) and compared with `cors-probe check URL --origin PAGE --format json`: the cache
section's `after_no_cors` verdict and console lines for that engine, for the load the engine is
told to be poisoned by (Browser.http_cache_serves_cors_from), and no prediction where the engine
asks the server again.

The server echoes Origin in Access-Control-Allow-Origin only when the request has one (what most
CORS middleware does), so the check itself is allowed: only the cache blocks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.browser.conftest import Engines
from tests.browser.engines import NAMES, OPTIONS
from tests.browser.referee import engine_fetch, run_check, servers
from tests.conftest import _clean_env, cli_command
from tests.servers import Received, Reply

pytestmark = pytest.mark.browser

GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
LOADS = {
    "img": "new Promise(r => { const i = new Image(); i.onload = i.onerror = () => r(true); "
    "i.src = %s; })",
    "no-cors": "fetch(%s, {mode: 'no-cors'}).then(() => true, () => false)",
    "no-cors-include": "fetch(%s, {mode: 'no-cors', credentials: 'include'})"
    ".then(() => true, () => false)",
}
CREDENTIALS = {"omit": False, "include": True}
"""The cors fetch()'s credentials (`same-origin`, which omits them for another site, or
`include`): Firefox keeps the two apart in its cache."""


@dataclass(frozen=True)
class CacheCase:
    name: str
    headers: tuple[tuple[str, str], ...]
    """What the server sends besides the echoed Access-Control-Allow-Origin."""


CASES = [
    CacheCase("max-age", (("Cache-Control", "max-age=600"),)),
    CacheCase("private-max-age", (("Cache-Control", "private, max-age=600"),)),
    CacheCase("vary-origin", (("Cache-Control", "max-age=600"), ("Vary", "Origin"))),
    CacheCase("vary-star", (("Cache-Control", "max-age=600"), ("Vary", "*"))),
    CacheCase("vary-origin-accept", (("Cache-Control", "max-age=600"), ("Vary", "origin, accept"))),
    CacheCase("vary-accept", (("Cache-Control", "max-age=600"), ("Vary", "Accept"))),
    CacheCase("no-cache", (("Cache-Control", "no-cache"),)),
    CacheCase("no-store", (("Cache-Control", "no-store, max-age=600"),)),
    CacheCase("no-cache-control", ()),
]


def _echoing(case: CacheCase) -> Callable[[Received], Reply]:
    def respond(request: Received) -> Reply:
        pairs = [("Content-Type", "image/gif"), *case.headers]
        origin = request.header("Origin")
        if origin is not None:
            pairs.append(("Access-Control-Allow-Origin", origin))
            pairs.append(("Access-Control-Allow-Credentials", "true"))
        return Reply(200, pairs, body=GIF)

    return respond


Key = tuple[str, str, str]
"""(load, credentials, case)"""
_MEASURED: dict[str, dict[Key, tuple[bool, tuple[str, ...], dict[str, Any]]]] = {}


def measured(
    engines: Engines, name: str
) -> dict[Key, tuple[bool, tuple[str, ...], dict[str, Any]]]:
    """Per (load, case): whether the engine blocked the cors fetch() after the load, its console
    lines, and cors-probe's cache section for the same URL (run after the engine, fresh path)."""
    if name in _MEASURED:
        return _MEASURED[name]
    engine = engines.get(name)
    found: dict[Key, tuple[bool, tuple[str, ...], dict[str, Any]]] = {}
    with servers() as (page, api, place):
        engine.navigate(page.url("/"))
        for load, script in LOADS.items():
            for mode, credentials in CREDENTIALS.items():
                for case in CASES:
                    path = f"/cache/{name}/{load}/{mode}/{case.name}"
                    api.route(path, get=_echoing(case))
                    url = place.api + path
                    engine.evaluate(script % json.dumps(url))
                    outcome, lines = engine_fetch(engine, url, "GET", [], credentials, None)
                    arguments = ["check", url, "--origin", place.origin, "-b", OPTIONS[name]]
                    if credentials:
                        arguments.append("--credentials")
                    probe = run_check(cli_command(), _clean_env(), [*arguments, "-f", "json"])
                    assert probe.document is not None, probe.stderr
                    cache = probe.document["cache"]
                    found[(load, mode, case.name)] = (not outcome["resolved"], lines, cache)
    _MEASURED[name] = found
    return found


@pytest.mark.parametrize("case", [c.name for c in CASES])
@pytest.mark.parametrize("mode", list(CREDENTIALS))
@pytest.mark.parametrize("load", list(LOADS))
@pytest.mark.parametrize("engine", NAMES)
def test_cors_probe_predicts_fetch_after_a_load_without_cors(
    engine: str, load: str, mode: str, case: str, engines: Engines
) -> None:
    blocked, lines, cache = measured(engines, engine)[(load, mode, case)]
    after = cache["after_no_cors"]
    assert isinstance(after, dict)
    predicted = after.get(engine)
    poisoned = predicted is not None and load in predicted["loads"]
    context = (
        f"{engine} after {load}, {case}: engine blocked={blocked} {lines}; cors-probe {predicted}"
    )
    assert poisoned is blocked, context
    if blocked:
        assert predicted is not None
        assert predicted["verdict"] == "blocked", context
        assert tuple(predicted["console"]) == lines, context
        codes = [f["code"] for f in cache["findings"]]
        assert "cached-without-cors" in codes, context
