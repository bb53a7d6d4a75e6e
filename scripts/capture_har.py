"""Regenerate tests/data/captures/har/: real Chromium (and Firefox ESR) run the referee's
scenarios, and what their DevTools record becomes one HAR file per scenario family.

    python -m scripts.capture_har [--engine chrome|firefox] [--out DIR] [--family NAME ...]

Chromium: its DevTools-protocol Network events, built into a HAR as DevTools exports one
(tests/browser/har.py). Firefox (into tests/data/captures/har/firefox/): its own DevTools' HAR,
the Network panel opened on the tab over Marionette and read with getHARFromNetMonitor (what
"Save All As HAR" writes).

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
`mode: 'same-origin'` (fetch() refuses the cross-origin URL unsent: Firefox lists an unanswered
request, Chromium none; neither records why),
and those whose server sends header bytes that are not UTF-8 (DevTools writes header values as
text decoded as UTF-8: such bytes are lost in any HAR).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.browser import cdp, firefox
from tests.browser.har import PREFERENCES, record, record_firefox
from tests.browser.referee import Place, install, servers
from tests.browser.scenarios import SCENARIOS, Scenario

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "captures" / "har"


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
    if scenario.mode == "same-origin":
        return "mode: 'same-origin' refuses the URL before sending it: a HAR cannot tell why"
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


@contextlib.contextmanager
def capturing(
    engine: str, instance: cdp.Browser | firefox.Firefox, scenarios: list[Scenario]
) -> Iterator[tuple[dict[str, Any], dict[str, Any], Place]]:
    """One family in a fresh page of `instance` (`engine`: chrome or firefox): (the HAR, the
    referee's sidecar, where it ran), its scripted servers still answering until the block ends
    (so that `cors-probe check` can ask them what the capture recorded)."""
    with servers() as (page, api, place):
        for scenario in scenarios:
            install(api, place, scenario, page)
        if isinstance(instance, cdp.Browser):
            recorded = record(instance, place, page.url("/"), scenarios, skipped)
        else:
            recorded = record_firefox(instance, place, api, page.url("/"), scenarios, skipped)
        sidecar = {
            "generated_by": "scripts/capture_har.py",
            "engine": engine,
            "version": instance.version,
            "page": place.origin,
            "api": place.api,
            "alt": place.alt,
            "scenarios": recorded.seen,
            "skipped": recorded.skipped,
            "setup": list(recorded.setup),
        }
        yield recorded.har, sidecar, place


def capture(
    engine: str, instance: cdp.Browser | firefox.Firefox, scenarios: list[Scenario]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One family in a fresh page of `instance` (`engine`: chrome or firefox): (the HAR, the
    referee's sidecar)."""
    with capturing(engine, instance, scenarios) as (har, sidecar, _):
        return har, sidecar


def _engine(engine: str, executable: str | None) -> contextlib.closing[Any]:
    if engine == "firefox":
        found = executable or firefox.find_firefox()
        if found is None:
            raise SystemExit(
                "capture_har: firefox-esr is not installed (apt-get install firefox-esr)"
            )
        return firefox.firefox(found)
    found = executable or cdp.find_chromium()
    if found is None:
        raise SystemExit("capture_har: chromium is not installed (apt-get install chromium)")
    return cdp.browser(found, preferences=PREFERENCES)


def write(
    out: Path,
    chosen: list[str] | None = None,
    executable: str | None = None,
    engine: str = "chrome",
) -> list[Path]:
    """Capture every family (or `chosen`) with `engine` into `out`; the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with _engine(engine, executable) as instance:
        for family, scenarios in families(chosen).items():
            har, sidecar = capture(engine, instance, scenarios)
            for path, document in (
                (out / f"{family}.har", har),
                (out / f"{family}.referee.json", sidecar),
            ):
                path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
                written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("chrome", "firefox"), default="chrome")
    parser.add_argument("--out", type=Path, help="default: tests/data/captures/har[/firefox]")
    parser.add_argument("--family", action="append", help="only this family (repeatable)")
    args = parser.parse_args(argv)
    out = args.out or (OUT / "firefox" if args.engine == "firefox" else OUT)
    for path in write(out, args.family, engine=args.engine):
        print(path.relative_to(out.parent) if path.is_relative_to(out.parent) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
