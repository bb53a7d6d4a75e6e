"""`python -m tests.browser.report`: agreement figures between cors-probe and live Chromium.

For people changing the engine: prints the three figures (verdict, preflight, console line) and
every disagreeing scenario, with what each side said. Exit 0 when everything agrees, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys

from tests.browser.cdp import browser, find_chromium
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
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
