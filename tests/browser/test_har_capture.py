"""A fresh capture, explained offline, equals `check` against the same live servers.

Real Chromium runs a few of the referee's failing scenarios with the Network domain recorded
(tests/browser/har.py builds the HAR as DevTools exports it); while the servers still answer,
`cors-probe har FILE --url ...` (offline) and `cors-probe check` (live) must give the verdict,
decisive finding and console lines Chromium printed. Also proves scripts/capture_har.py's data
is regenerated, not hand-written: the stored capture of a family lists the same requests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser import cdp
from tests.browser.conftest import require_chromium
from tests.browser.har import PREFERENCES, record, record_firefox
from tests.browser.referee import install, probe_arguments, run_check, servers
from tests.browser.scenarios import SCENARIOS
from tests.conftest import _clean_env, cli_command

pytestmark = pytest.mark.browser

CHOSEN = (
    "acao-get-missing",
    "acao-preflight-credentials-wildcard",
    "acac-preflight-capital-true",
    "preflight-status-403",
    "redirect-hop-wrong-acao",
    "same-then-cross-put-preflight-no-acao",
    "fetch-metadata-isolation-put",
    "method-PUT-missing-uc",
)
CAPTURES = Path(__file__).resolve().parent.parent / "data" / "captures" / "har"


def test_a_fresh_capture_explained_offline_equals_check_on_the_live_server(
    tmp_path: Path,
) -> None:
    scenarios = [s for s in SCENARIOS if s.name in CHOSEN]
    assert len(scenarios) == len(CHOSEN)
    env = _clean_env()
    with (
        cdp.browser(require_chromium(), preferences=PREFERENCES) as browser,
        servers() as (
            page,
            api,
            place,
        ),
    ):
        for scenario in scenarios:
            install(api, place, scenario, page)
        recording = record(browser, place, page.url("/"), scenarios)
        capture = tmp_path / "fresh.har"
        capture.write_text(json.dumps(recording.har))
        assert [s["name"] for s in recording.seen] == [s.name for s in scenarios]
        for scenario, seen in zip(scenarios, recording.seen, strict=True):
            assert seen["verdict"] == "blocked", scenario.name
            offline = run_check(
                cli_command(),
                env,
                ["har", str(capture), "--url", f"/s/{scenario.name}$", "--format", "json"],
            )
            live = run_check(cli_command(), env, probe_arguments(place, scenario, "chrome"))
            context = f"{scenario.name}: {offline.stderr} {live.stderr}"
            assert offline.document is not None, context
            assert offline.document["captured"] is True
            assert offline.verdict == live.verdict == "blocked", context
            assert offline.decisive == live.decisive, context
            assert offline.console == live.console == tuple(seen["console"]), context
            assert offline.exit_code == live.exit_code == 1


def test_a_fresh_firefox_capture_explained_offline_equals_check_on_the_live_server(
    tmp_path: Path,
) -> None:
    """The same with Firefox ESR: its own DevTools' HAR (record_firefox), `check --browser
    firefox` live, Firefox's console lines."""
    from tests.browser import firefox
    from tests.browser.engines import require

    scenarios = [s for s in SCENARIOS if s.name in CHOSEN[:5]]
    env = _clean_env()
    with firefox.firefox(require("firefox")) as instance, servers() as (page, api, place):
        for scenario in scenarios:
            install(api, place, scenario, page)
        recording = record_firefox(instance, place, api, page.url("/"), scenarios)
        capture = tmp_path / "fresh.har"
        capture.write_text(json.dumps(recording.har))
        assert [s["name"] for s in recording.seen] == [s.name for s in scenarios]
        for scenario, seen in zip(scenarios, recording.seen, strict=True):
            assert seen["verdict"] == "blocked", scenario.name
            offline = run_check(
                cli_command(),
                env,
                ["har", str(capture), "--url", f"/s/{scenario.name}$", "--format", "json"],
                "firefox",
            )
            arguments = probe_arguments(place, scenario, "firefox")
            live = run_check(cli_command(), env, arguments, "firefox")
            context = f"{scenario.name}: {offline.stderr} {live.stderr}"
            assert offline.document is not None, context
            assert offline.document["browser"] == "firefox"
            assert offline.verdict == live.verdict == "blocked", context
            assert offline.decisive == live.decisive, context
            assert offline.console == live.console == tuple(seen["console"]), context


def test_the_stored_captures_are_the_capture_script_s_output(tmp_path: Path) -> None:
    """The stored family `credentials` and a fresh run of the script list the same requests,
    methods and verdicts (URLs modulo the ports)."""
    from scripts.capture_har import write

    require_chromium()
    write(tmp_path, ["credentials"])
    stored = json.loads((CAPTURES / "credentials.referee.json").read_text())
    fresh = json.loads((tmp_path / "credentials.referee.json").read_text())

    def shape(sidecar: dict[str, Any], har: dict[str, Any]) -> list[tuple[str, ...]]:
        api = str(sidecar["api"])
        return [
            (e["request"]["method"], e["request"]["url"].replace(api, "{api}"), e["_resourceType"])
            for e in har["log"]["entries"]
            if e["request"]["url"].startswith(api)
        ]

    stored_har = json.loads((CAPTURES / "credentials.har").read_text())
    fresh_har = json.loads((tmp_path / "credentials.har").read_text())
    assert shape(stored, stored_har) == shape(fresh, fresh_har)
    verdicts = [(s["name"], s["verdict"]) for s in stored["scenarios"]]
    assert verdicts == [(s["name"], s["verdict"]) for s in fresh["scenarios"]]
