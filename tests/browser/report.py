"""`python -m tests.browser.report`: agreement figures between cors-probe and each live engine.

For people changing the engine: for Chromium, Firefox and WebKit (each started fresh), prints the
figures (verdict, preflight, console lines, readable headers) as agreed / judged, then every
disagreeing scenario with what each side said; then the same for the real middleware apps in that
engine. Exit 0 when everything agrees, 1 otherwise, 2 when an engine is not installed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import replace

from tests.browser.engines import INSTALL, NAMES, Engine, find, open_engine
from tests.browser.middleware.apps import APPS
from tests.browser.middleware.referee import Result, judge, page_server
from tests.browser.referee import Comparison, referee
from tests.browser.scenarios import SCENARIOS
from tests.conftest import _clean_env, cli_command


def _figure(label: str, values: list[bool | None]) -> str:
    judged = [v for v in values if v is not None]
    agreed = sum(judged)
    share = 100 * agreed / len(judged) if judged else 100.0
    return f"  {label:<16} {agreed:>4} / {len(judged):<4} ({share:.1f} %)"


def _lines(lines: tuple[str, ...] | None, indent: str) -> list[str]:
    """Console lines one per row, quoted so that trailing spaces and empty lines show."""
    if lines is None:
        return [f"{indent}(no prediction)"]
    if not lines:
        return [f"{indent}(no console line)"]
    return [f"{indent}{line!r}" for line in lines]


def _agrees(c: Comparison) -> bool:
    return (
        c.verdict_agrees
        and c.preflight_agrees
        and c.console_agrees is not False
        and c.readable_agrees is not False
    )


def summarise(engine: str, version: str, comparisons: list[Comparison]) -> tuple[str, bool]:
    """The four figures for one engine, and every disagreeing scenario with both sides."""
    lines = [f"{engine} ({version}): {len(comparisons)} scenarios"]
    lines.append(_figure("verdict", [c.verdict_agrees for c in comparisons]))
    lines.append(_figure("preflight", [c.preflight_agrees for c in comparisons]))
    lines.append(_figure("console lines", [c.console_agrees for c in comparisons]))
    lines.append(_figure("readable headers", [c.readable_agrees for c in comparisons]))
    bad = [c for c in comparisons if not _agrees(c)]
    for c in bad:
        e, p = c.engine, c.probe
        lines += [
            "",
            f"✘ {engine} {c.scenario.name} ({c.scenario.family})",
            f"  {engine}: {c.engine_verdict}, preflight {e.preflight_sent}, status {e.status}, "
            f"readable {sorted(e.readable)}, error {e.error}",
            f"    received: {', '.join(e.received) or '(nothing)'}",
            *_lines(e.console, "    console: "),
            f"  probe: {p.verdict}, preflight {p.preflight_required}, decisive {p.decisive}, "
            f"readable {sorted(p.readable)}, exit {p.exit_code}",
            f"    codes: {', '.join(p.codes)}",
            *_lines(p.console, "    console: "),
        ]
        if p.stderr.strip():
            lines.append(f"    stderr: {p.stderr.strip()}")
    return "\n".join(lines), not bad


def middleware(instance: Engine, name_filter: str) -> tuple[str, bool]:
    """The real middleware apps in one engine: verdict, preflight and console lines (the relay
    does not record which headers script could read), and every disagreement."""
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
    name = instance.name
    lines = [
        "",
        f"{name} ({instance.version}), real middleware: {len(results)} checks over "
        f"{len({r.app for r in results})} apps",
        _figure(
            "verdict", [r.verdict == ("allowed" if r.engine_ok else "blocked") for r in results]
        ),
        _figure("preflight", [r.preflight_required == r.engine_preflight for r in results]),
        _figure("console lines", [r.predicted == r.console for r in results if not r.engine_ok]),
    ]
    lines += [f"  SKIPPED {s}" for s in skipped]
    for r in results:
        if not r.agrees:
            lines += [
                "",
                f"✘ {name} {r.app} {r.shape.name}",
                f"  {name}: {'allowed' if r.engine_ok else 'blocked'}, "
                f"preflight {r.engine_preflight}, actual sent {r.engine_actual}",
                *_lines(r.console, "    console: "),
                f"  probe: {r.verdict}, preflight {r.preflight_required}, "
                f"codes {', '.join(r.codes)}",
                *_lines(r.predicted, "    console: "),
            ]
            if r.stderr.strip():
                lines.append(f"    stderr: {r.stderr.strip()}")
    return "\n".join(lines), all(r.agrees for r in results)


def _progress(engine: str, total: int) -> Callable[[str], None] | None:
    """A one-line counter on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return None
    done = 0

    def tick(name: str) -> None:
        nonlocal done
        done += 1
        print(f"\r\033[K{engine} {done}/{total} {name}", end="", file=sys.stderr, flush=True)

    return tick


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--engine",
        choices=(*NAMES, "all"),
        default="all",
        help="the engine to measure (default: all three)",
    )
    parser.add_argument("-k", "--filter", default="", help="only scenarios whose name has this")
    parser.add_argument(
        "--no-middleware", action="store_true", help="skip the real middleware apps"
    )
    args = parser.parse_args(argv)
    names = NAMES if args.engine == "all" else (args.engine,)
    chosen = [s for s in SCENARIOS if args.filter in s.name]
    if not chosen:
        parser.error(f"no scenario name contains {args.filter!r}")
    executables = {name: find(name) for name in names}
    missing = [name for name, executable in executables.items() if executable is None]
    for name in missing:
        print(f"{name} is not installed ({INSTALL[name]}): not measured", file=sys.stderr)
    if missing:
        return 2
    ok = True
    for name in names:
        executable = executables[name]
        assert executable is not None
        started = time.monotonic()
        with open_engine(name, executable) as instance:
            comparisons = referee(
                instance, chosen, cli_command(), _clean_env(), _progress(name, len(chosen))
            )
            if sys.stderr.isatty():
                print("\r\033[K", end="", file=sys.stderr, flush=True)
            text, engine_ok = summarise(name, instance.version, comparisons)
            print(text)
            print(f"  ({time.monotonic() - started:.0f} s)", flush=True)
            if not args.no_middleware:
                started = time.monotonic()
                middleware_text, middleware_ok = middleware(instance, args.filter)
                print(middleware_text)
                print(f"  ({time.monotonic() - started:.0f} s)", flush=True)
                engine_ok = engine_ok and middleware_ok
        print()
        ok = ok and engine_ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
