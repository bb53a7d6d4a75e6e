"""`python -m tests.browser.report`: agreement figures between cors-probe and live Chromium.

For people changing the engine: prints the three figures (verdict, preflight, console line) and
every disagreeing scenario, with what each side said. Exit 0 when everything agrees, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from tests.browser.cdp import Browser, browser, find_chromium
from tests.browser.middleware.apps import APPS
from tests.browser.middleware.referee import Result, judge, page_server
from tests.browser.referee import Comparison, referee
from tests.browser.scenarios import SCENARIOS
from tests.conftest import _clean_env, cli_command


def _figure(label: str, values: list[bool | None]) -> str:
    judged = [v for v in values if v is not None]
    agreed = sum(judged)
    share = 100 * agreed / len(judged) if judged else 100.0
    return f"{label:<16} {agreed:>4} / {len(judged):<4} ({share:.1f} %)"


def summarise(comparisons: list[Comparison], version: str) -> tuple[str, bool]:
    lines = [f"Chromium: {version}; scenarios: {len(comparisons)}"]
    lines.append(_figure("verdict", [c.verdict_agrees for c in comparisons]))
    lines.append(_figure("preflight", [c.preflight_agrees for c in comparisons]))
    lines.append(_figure("console line", [c.console_agrees for c in comparisons]))
    lines.append(_figure("readable headers", [c.readable_agrees for c in comparisons]))
    bad = [
        c
        for c in comparisons
        if not (c.verdict_agrees and c.preflight_agrees)
        or c.console_agrees is False
        or c.readable_agrees is False
    ]
    for c in bad:
        lines += [
            "",
            f"✘ {c.scenario.name} ({c.scenario.family})",
            f"  chromium: {c.chromium_verdict}, preflight {c.chromium.preflight_sent}, "
            f"status {c.chromium.status}, readable {sorted(c.chromium.readable)}",
            f"            {c.chromium.console}",
            f"            received: {', '.join(c.chromium.received)}",
            f"  probe:    {c.probe.verdict}, preflight {c.probe.preflight_required}, "
            f"decisive {c.probe.decisive}, readable {sorted(c.probe.readable)}",
            f"            {c.probe.chrome}",
            f"            codes: {', '.join(c.probe.codes)} {c.probe.stderr.strip()}",
        ]
    return "\n".join(lines), not bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-k", "--filter", default="", help="only scenarios whose name has this")
    parser.add_argument(
        "--no-middleware", action="store_true", help="skip the real middleware apps"
    )
    args = parser.parse_args(argv)
    executable = find_chromium()
    if executable is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    chosen = [s for s in SCENARIOS if args.filter in s.name]
    with browser(executable) as instance:
        comparisons = referee(instance, chosen, cli_command(), _clean_env())
        text, ok = summarise(comparisons, instance.version)
        print(text)
        if not args.no_middleware:
            middleware_text, middleware_ok = middleware(instance, args.filter)
            print(middleware_text)
            ok = ok and middleware_ok
    return 0 if ok else 1


def middleware(instance: Browser, name_filter: str) -> tuple[str, bool]:
    """The real middleware apps: the same three figures, and every disagreement."""
    results: list[Result] = []
    skipped: list[str] = []
    with page_server() as page:
        for app in APPS:
            if name_filter not in app.name:
                continue
            reason = app.available()
            if reason is not None:
                skipped.append(f"{app.name}: {reason}")
                continue
            results += [replace(r, app=app.name) for r in judge(app, instance, page)]
    blocked = [r for r in results if not r.chromium_ok]
    lines = [
        "",
        f"Real middleware: {len(results)} checks over {len({r.app for r in results})} apps",
        _figure(
            "verdict", [r.verdict == ("allowed" if r.chromium_ok else "blocked") for r in results]
        ),
        _figure("preflight", [r.preflight_required == r.chromium_preflight for r in results]),
        _figure("console line", [r.chrome == r.console for r in blocked]),
    ]
    lines += [f"  skipped {s}" for s in skipped]
    for r in results:
        if not r.agrees:
            lines += [
                f"✘ {r.app} {r.shape.name}: chromium {'OK' if r.chromium_ok else 'blocked'}, "
                f"preflight {r.chromium_preflight}; probe {r.verdict}, "
                f"preflight {r.preflight_required}, codes {', '.join(r.codes)}",
                f"    chromium: {r.console}",
                f"    probe:    {r.chrome}",
            ]
    return "\n".join(lines), all(r.agrees for r in results)


if __name__ == "__main__":
    sys.exit(main())
