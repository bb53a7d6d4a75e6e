"""Regenerate tests/data/captures/har/: real Chromium runs the referee's scenarios, and the
Network events it reports become one HAR file per scenario family, as DevTools exports them.

    python -m scripts.capture_har [--out DIR] [--family NAME ...]

For each family of tests/browser/scenarios.py the scripted servers start on 127.0.0.1 (page and
API on two ports: two origins), headless Chromium (tests/browser/cdp.py) loads the page with the
Network domain recording, runs each scenario's fetch() and keeps what it saw: fetch()'s outcome
and every console line. The events become `<family>.har` (tests/browser/har.py) and what the
referee saw becomes `<family>.referee.json`: per scenario, its URL, the verdict (blocked when
fetch() rejected) and Chromium's console lines, with the page's and the API's origins (their
ports change at every capture).

The API's host carries a cookie (`sid`, SameSite=None; Secure, set through the protocol, third-party
cookies allowed in the profile) so that a credentialed fetch() is captured with its Cookie, as in a
user's capture: a HAR does not record fetch()'s `credentials` option, only what it sent.

Left out, said in the sidecar's `skipped`: scenarios with a `redirect` mode other than `follow`
(a HAR does not record it, and the same requests mean another thing under `error` or `manual`),
and those whose server sends header bytes that are not UTF-8 (DevTools writes header values as
text decoded as UTF-8: such bytes are lost in any HAR).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from tests.browser import cdp
from tests.browser.engines import Chromium
from tests.browser.har import har_of
from tests.browser.referee import Place, engine_fetch, install, servers
from tests.browser.scenarios import SCENARIOS, Scenario

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "captures" / "har"
COOKIE = ("sid", "capture-s3cr3t-cookie")
PREFERENCES: dict[str, Any] = {"profile": {"cookie_controls_mode": 0}}
"""Third-party cookies allowed (a desktop Chrome's default outside Incognito)."""


def _utf8(text: str) -> bool:
    try:
        text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return True


def skipped(scenario: Scenario) -> str | None:
    """Why a scenario is not captured, or None."""
    if scenario.redirect != "follow":
        return f"redirect: '{scenario.redirect}' is not recorded in a HAR"
    answers = [a for table in scenario.routes.values() for a in table.values()]
    if not all(_utf8(value) for answer in answers for _, value in answer.headers):
        return "a header holds bytes that are not UTF-8: a HAR (JSON text) cannot carry them"
    return None


def families(chosen: list[str] | None = None) -> dict[str, list[Scenario]]:
    """The referee's scenarios by family, in table order (`chosen`: only these families)."""
    table: dict[str, list[Scenario]] = defaultdict(list)
    for scenario in SCENARIOS:
        if chosen is None or scenario.family in chosen:
            table[scenario.family].append(scenario)
    return dict(table)


def capture(
    browser: cdp.Browser, scenarios: list[Scenario]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One family in a fresh page: (the HAR, the referee's sidecar)."""
    engine = Chromium(browser)
    with servers() as (page, api, place):
        for scenario in scenarios:
            install(api, place, scenario, page)
        browser.command(
            "Network.setCookie",
            session=True,
            name=COOKIE[0],
            value=COOKIE[1],
            url=f"{place.api}/",
            secure=True,
            sameSite="None",
        )
        started = time.time()
        browser.record_network()
        browser.navigate(page.url("/"))
        seen: list[dict[str, Any]] = []
        left_out: list[dict[str, str]] = []
        for scenario in scenarios:
            reason = skipped(scenario)
            if reason is not None:
                left_out.append({"name": scenario.name, "reason": reason})
                continue
            outcome, console = _run(engine, place, scenario)
            seen.append(
                {
                    "name": scenario.name,
                    "url": place.start(scenario),
                    "method": scenario.method,
                    "verdict": "allowed" if outcome["resolved"] else "blocked",
                    "console": list(console),
                }
            )
        time.sleep(0.3)  # the last events (loadingFinished) arrive after fetch() settles
        events = browser.network_events()
        browser.command("Network.disable", session=True)
        browser.network = None
    asked = {p["request"]["url"] for m, p in events if m == "Network.requestWillBeSent"}
    for item in [s for s in seen if s["url"] not in asked]:
        seen.remove(item)
        reason = "fetch() refused it before any request: nothing in the capture"
        left_out.append({"name": item["name"], "reason": reason})
    har = har_of(events, page.url("/"), started)
    sidecar = {
        "generated_by": "scripts/capture_har.py",
        "engine": browser.version,
        "page": place.origin,
        "api": place.api,
        "alt": place.alt,
        "scenarios": seen,
        "skipped": left_out,
    }
    return har, sidecar


def _run(engine: Chromium, place: Place, scenario: Scenario) -> tuple[dict[str, Any], list[str]]:
    outcome, console = engine_fetch(
        engine,
        place.start(scenario),
        scenario.method,
        scenario.headers,
        scenario.credentials,
        scenario.body,
        scenario.mode,
        scenario.redirect,
    )
    if not outcome["resolved"] and not console:
        console = (str(outcome["error"]),)  # as the referee compares it (referee.run_in_engine)
    return outcome, list(console)


def write(out: Path, chosen: list[str] | None = None, executable: str | None = None) -> list[Path]:
    """Capture every family (or `chosen`) into `out`; the files written."""
    found = executable or cdp.find_chromium()
    if found is None:
        raise SystemExit("capture_har: chromium is not installed (apt-get install chromium)")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with cdp.browser(found, preferences=PREFERENCES) as browser:
        for family, scenarios in families(chosen).items():
            har, sidecar = capture(browser, scenarios)
            for path, document in (
                (out / f"{family}.har", har),
                (out / f"{family}.referee.json", sidecar),
            ):
                path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
                written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--family", action="append", help="only this family (repeatable)")
    args = parser.parse_args(argv)
    for path in write(args.out, args.family):
        print(path.relative_to(args.out.parent) if path.is_relative_to(args.out.parent) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
