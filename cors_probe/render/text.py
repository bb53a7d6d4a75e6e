"""The terminal report, with rich. Server-provided strings are always `Text`, never markup.

Layout: the verdict in one line; the request as the page asks it; the preflight (needed or not,
and why) and each exchange with its headers (CORS headers highlighted); a timeline of round
trips; the findings with their fix and console lines. Colour follows rich's detection: off when
stdout is not a terminal or NO_COLOR is set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from cors_probe.explain.catalogue import explain
from cors_probe.explain.console import console_lines
from cors_probe.explain.engines import contrast, label, split, verdict_line
from cors_probe.explain.hops import hop_lines, single_line, varies
from cors_probe.explain.triggers import describe_triggers
from cors_probe.model import (
    CacheProbe,
    Exchange,
    ExchangeKind,
    Finding,
    RedirectMode,
    Report,
    RequestMode,
    ResponseType,
    Severity,
    Stage,
    Verdict,
)
from cors_probe.render.derived import derived_line
from cors_probe.render.gates import depends_on_user
from cors_probe.render.mask import masked_finding, masked_pairs, masked_trigger
from cors_probe.usecases.results import Run

if TYPE_CHECKING:
    from cors_probe.render import RenderOptions, Subject
    from cors_probe.usecases.demo import Tour

VERDICT_STYLE = {
    Verdict.ALLOWED: ("✔ ALLOWED", "bold green"),
    Verdict.BLOCKED: ("✘ BLOCKED", "bold red"),
    Verdict.INCOMPLETE: ("… INCOMPLETE", "bold yellow"),
    Verdict.UNREACHABLE: ("✘ UNREACHABLE", "bold red"),
}
SEVERITY_STYLE = {
    Severity.ERROR: ("error", "bold red"),
    Severity.WARNING: ("warning", "yellow"),
    Severity.INFO: ("info", "cyan"),
}
OPAQUE_TYPES = frozenset({ResponseType.OPAQUE, ResponseType.OPAQUE_REDIRECT})
CORS_HEADER_PREFIXES = ("access-control-", "origin", "vary")
STAGE_WORDS = {
    Stage.REQUEST: "request",
    Stage.PREFLIGHT: "preflight",
    Stage.ACTUAL: "actual request",
}


def _headline(report: Report) -> Text:
    outcome = report.outcome
    shown, style = VERDICT_STYLE[outcome.verdict]
    line = Text(shown, style=style)
    line.append(f" in {label(report.browser)}", style=style)
    if report.dry_run:
        line = Text("DRY RUN: nothing was sent", style="bold yellow")
        if outcome.verdict is Verdict.BLOCKED:
            line = Text(VERDICT_STYLE[Verdict.BLOCKED][0], style="bold red")
    decisive = outcome.decisive
    if decisive is not None:
        line.append(
            f" at the {STAGE_WORDS[decisive.stage]}: "
            if outcome.verdict is Verdict.BLOCKED
            else ": "
        )
        line.append(explain(decisive).title)
    elif outcome.verdict is Verdict.ALLOWED and not report.dry_run:
        if outcome.response_type in OPAQUE_TYPES:
            line.append(
                f": fetch() resolves, but with an {outcome.response_type} response "
                "(status 0, no header, no body readable)"
            )
        else:
            line.append(f": the page can read the response (status {outcome.final_status})")
    if depends_on_user(report):
        line.append(", if the user allows Local Network Access", style="bold yellow")
    if report.simulated:
        line.append("  [simulated]", style="dim")
    if report.captured:
        line.append("  [captured]", style="dim")
    return line


def _request_line(report: Report) -> Text:
    shape = report.shape
    text = Text("  ")
    text.append(shape.method, style="bold")
    text.append(f" {shape.url}\n  from origin ")
    text.append(shape.origin.serialise(), style="bold")
    if not shape.origin_given:
        text.append(" (no --origin given: probing as an unrelated third-party site)", style="dim")
    text.append(f", credentials: {'include' if shape.credentials else 'same-origin'}")
    if shape.mode is not RequestMode.CORS or shape.redirect is not RedirectMode.FOLLOW:
        text.append(f", mode: {shape.mode}, redirect: {shape.redirect}")
    return text


def _headers(pairs: list[tuple[str, str]], arrow: str, assumed: tuple[str, ...] = ()) -> Text:
    """Header lines; those named in `assumed` (`--assume-header`) marked `(assumed)`."""
    text = Text()
    for name, value in pairs:
        style = "bold magenta" if name.lower().startswith(CORS_HEADER_PREFIXES) else ""
        text.append(f"      {arrow} ")
        text.append(name, style=style)
        text.append(": ")
        text.append(value, style=style)
        if name.lower() in assumed:
            text.append("  (assumed)", style="yellow")
        text.append("\n")
    return text


def _exchange(exchange: Exchange, show_secrets: bool, verbose: bool) -> RenderableType:
    request = exchange.request
    title = Text(f"  {exchange.kind.value.capitalize()}", style="bold")
    if exchange.hop:
        title.append(f" (after redirect {exchange.hop})")
    title.append(": ")
    title.append(f"{request.method} {request.url}")
    if exchange.withheld:
        title.append("  (not sent)", style="yellow")
    response = exchange.response
    sent = response.sent_headers if verbose and response is not None else None
    parts: list[RenderableType] = [
        title,
        _headers(masked_pairs(sent if sent is not None else request.headers, show_secrets), ">"),
    ]
    if response is not None:
        status = Text(
            f"    < {response.http_version} {response.status} {response.reason}", style="bold"
        )
        status.append(f"  {response.elapsed_ms:.1f} ms", style="dim")
        shown = masked_pairs(response.headers, show_secrets)
        parts.extend([status, _headers(shown, "<", response.assumed)])
    elif exchange.failure is not None:
        parts.append(Text(f"    no response: {exchange.failure.message}", style="red"))
    return Group(*parts)


def _finding(
    finding: Finding, browser: str = "chrome", agreeing: tuple[str, ...] = ()
) -> RenderableType:
    words = explain(finding)
    severity, style = SEVERITY_STYLE[finding.severity]
    head = Text("  ")
    head.append(f"{severity:<7}", style=style)
    head.append(f" {finding.code.value}", style="bold")
    head.append(f"  {words.title}")
    body = Text(words.message)
    body.append("\nFix: ", style="bold green")
    body.append(words.fix)
    parts: list[RenderableType] = [head, Padding(body, (0, 0, 0, 11))]
    if words.header_fixes:  # the fix as a what-if the user can run (explain.fixes)
        # one line, never wrapped, so that it can be copied back onto a command line whole
        check = Text(" " * 11 + "Check it: ", style="bold", no_wrap=True, overflow="ignore")
        check.append(" ".join(f"--assume-header '{f.assumption()}'" for f in words.header_fixes))
        parts.append(check)
    engines = Text()
    lines = console_lines(finding, words)
    told = {browser, *agreeing}  # engines that reach this finding on the same answers
    for name in sorted(lines, key=lambda n: n != browser):  # the engine run comes first
        if lines[name] and name in told and finding.severity is not Severity.INFO:
            engines.append(f"\n{label(name)}: " if engines else f"{label(name)}: ", style="bold")
            engines.append("\n".join(lines[name]), style="dim")
    if engines:
        parts.append(Padding(engines, (0, 0, 0, 11)))
    return Group(*parts)


def _timeline(report: Report) -> RenderableType | None:
    rows = [e for e in report.outcome.exchanges if e.response is not None]
    if not rows:
        return None
    table = Table(box=None, show_header=False, padding=(0, 2))
    total = 0.0
    for exchange in rows:
        assert exchange.response is not None
        total += exchange.response.elapsed_ms
        table.add_row(
            f"  {exchange.kind.value}",
            exchange.request.method,
            str(exchange.response.status),
            f"{exchange.response.elapsed_ms:.1f} ms",
            Text(exchange.request.url),
        )
    table.add_row("  total", "", "", f"{total:.1f} ms", "")
    return table


def build(report: Report, *, show_secrets: bool = False, verbose: bool = False) -> Group:
    """The whole report; with several engines, the side-by-side verdicts, then each engine's.
    A request derived from a capture says first how it was derived (render/derived.py)."""
    first: list[RenderableType] = []
    if report.derived is not None:
        first = [Text(derived_line(report), style="cyan"), Text()]
    if not report.others:
        return Group(*first, _engine(report, show_secrets=show_secrets, verbose=verbose))
    parts: list[RenderableType] = [*first, Text(verdict_line(report), style="bold")]
    for other in report.others:
        reason = split(report, other)
        if reason is not None:
            parts.append(
                Text(f"  {label(report.browser)} and {label(other.browser)} split: {reason}")
            )
    for engine in report.engines:
        parts.append(Text(f"\n── {label(engine.browser)} ──", style="bold"))
        parts.append(_engine(engine, show_secrets=show_secrets, verbose=verbose))
    return Group(*parts)


def _engine(report: Report, *, show_secrets: bool = False, verbose: bool = False) -> Group:
    plan = report.plan
    parts: list[RenderableType] = [_headline(report), _request_line(report), Text()]
    hops = report.outcome.hops
    if hops and varies(hops):  # the request became cross-origin, or is preflighted again
        parts.append(Text("Preflight, for each URL of the fetch:", style="bold"))
        masked = [[masked_trigger(t, show_secrets) for t in h.plan.triggers] for h in hops]
        parts.extend(Text(f"  {line}.") for line in hop_lines(hops, masked))
    elif plan.required:
        reasons = describe_triggers([masked_trigger(t, show_secrets) for t in plan.triggers])
        parts.append(Text(f"Preflight: required; {reasons}.", style="bold"))
    elif report.shape.mode is RequestMode.NO_CORS and report.outcome.exchanges:
        parts.append(Text("Preflight: none in no-cors mode (and no CORS check).", style="bold"))
    elif hops and any(e.kind is ExchangeKind.ACTUAL for e in report.outcome.exchanges):
        parts.append(Text(f"Preflight: {single_line(hops[0], ())}.", style="bold"))
    elif any(e.kind is ExchangeKind.ACTUAL for e in report.outcome.exchanges):
        parts.append(Text("Preflight: not needed (safelisted method and headers).", style="bold"))
    if plan.required and not (report.dry_run or report.simulated):
        parts.append(
            Text(
                "  cors-probe always sends a fresh preflight; a browser may reuse a "
                "cached one for up to Access-Control-Max-Age.",
                style="dim",
            )
        )
    parts.extend(_exchange(e, show_secrets, verbose) for e in report.outcome.exchanges)
    timeline = None if report.simulated else _timeline(report)
    if timeline is not None:
        parts.extend([Text("Timeline", style="bold"), timeline, Text()])
    if report.outcome.readable_headers and verbose:
        parts.append(Text("Script can read: " + ", ".join(report.outcome.readable_headers)))
    findings = sorted(report.outcome.findings, key=lambda f: list(Severity).index(f.severity))
    if findings:
        parts.append(Text("Findings", style="bold"))
        parts.extend(
            _finding(masked_finding(f, show_secrets), report.browser, report.agreeing)
            for f in findings
        )
    if report.contrasts:
        parts.append(Text("Other engines", style="bold"))
        parts.extend(Text(f"  {contrast(report, seen)}") for seen in report.contrasts)
    if report.cache is not None:
        parts.append(_cache(report.cache, show_secrets))
    return Group(*parts)


def _cache(cache: CacheProbe, show_secrets: bool) -> RenderableType:
    """The cache section, briefly: cors-probe's own requests, one line each, its findings, and
    what each engine prints for fetch() after a load without CORS poisoned its cache."""
    parts: list[RenderableType] = [Text("\nCaches (cors-probe's own extra requests)", style="bold")]
    if cache.skipped:
        parts.append(Text(f"  {cache.skipped}.", style="dim"))
    for c in cache.exchanges:
        response = c.exchange.response
        if response is not None:
            acao = response.headers.get("Access-Control-Allow-Origin") or "(none)"
            got = f"{response.status}, ACAO {acao}"
        else:
            got = c.exchange.failure.message if c.exchange.failure else "not sent"
        origin = c.origin or "(no Origin)"
        parts.append(Text(f"  {c.label:<13}{c.exchange.request.method} {origin} -> {got}"))
    if cache.findings:
        ordered = sorted(cache.findings, key=lambda f: list(Severity).index(f.severity))
        parts.extend(_finding(masked_finding(f, show_secrets)) for f in ordered)
    elif any(c.exchange.response is None for c in cache.exchanges):
        parts.append(Text("  No problem in the answers received; not every request was answered."))
    elif cache.exchanges:
        parts.append(Text("  No cache or origin-pattern problem found.", style="dim"))
    for seen in cache.after_no_cors:
        decisive = seen.outcome.decisive
        if decisive is None:
            continue
        lines = console_lines(decisive, explain(decisive)).get(seen.browser, ())
        text = Text(f"  {label(seen.browser)}, fetch() after {', '.join(seen.loads)}: ")
        text.append(seen.outcome.verdict.value.upper(), style="bold red")
        if lines:
            text.append("\n    " + "\n    ".join(lines), style="dim")
        parts.append(text)
    return Group(*parts)


def print_tour(tour: Tour, console: Console | None = None) -> None:
    """The demo's table: endpoint, request shape, verdict (each engine's, where they split), the
    decisive finding and its fix (and the rule that splits the engines)."""
    marks = {
        Verdict.ALLOWED: ("✔", "bold green"),
        Verdict.BLOCKED: ("✘", "bold red"),
        Verdict.INCOMPLETE: ("…", "bold yellow"),
        Verdict.UNREACHABLE: ("✘", "bold red"),
    }

    def verdict(report: Report) -> Text:
        """One verdict when every engine agrees (and in how many); else a line per engine."""
        engines = report.engines
        if len({e.outcome.verdict for e in engines}) == 1:
            shown, style = VERDICT_STYLE[report.outcome.verdict]
            cell = Text(shown, style=style)
            if len(engines) > 1:
                cell.append(f"\nin all {len(engines)} engines", style="dim")
            return cell
        cell = Text()
        for number, engine in enumerate(engines):
            mark, style = marks[engine.outcome.verdict]
            cell.append("\n" if number else "")
            cell.append(f"{mark} {label(engine.browser)}", style=style)
        return cell

    def why(report: Report) -> Text:
        """The decisive finding and its fix; when the engines split, the rule that splits them
        first, then the finding and fix of the first engine that does not allow the request."""
        text, decider = Text(), report
        groups: dict[tuple[Verdict, bool], list[Report]] = {}  # engines that differ alike
        for other in report.others:
            if other.outcome.verdict is not report.outcome.verdict:
                groups.setdefault((other.outcome.verdict, other.plan.required), []).append(other)
        reasons = []
        for head, *rest in groups.values():
            names = " and ".join(label(r.browser) for r in rest)
            alike = f"; {names} {'decide' if len(rest) > 1 else 'decides'} as {label(head.browser)}"
            alike = alike if rest else ""
            reasons.append(f"{split(report, head)}{alike}")
        if reasons:
            text.append("engines split: ", style="bold yellow")
            text.append("; ".join(reasons) + "\n")
            decider = next(e for e in report.engines if e.outcome.verdict is not Verdict.ALLOWED)
        outcome = decider.outcome
        finding = outcome.decisive or next(
            (f for f in outcome.findings if f.severity is Severity.WARNING), None
        )
        if finding is None:
            text.append("no problems found")
            return text
        words = explain(finding)
        if reasons:
            text.append(f"{label(decider.browser)}: ", style="bold")
        text.append(finding.code.value, style="bold")
        text.append(f": {words.title}\n")
        text.append("fix: ", style="bold green")
        text.append(words.fix)
        return text

    console = console or Console(highlight=False)
    origin = tour.origin
    table = Table(
        title=f"cors-probe demo: the lab's endpoints, called from a page on {origin}",
        show_lines=True,
    )
    table.add_column("endpoint and request", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("decisive finding, and the smallest fix", ratio=1, overflow="fold")
    for stop in tour.stops:
        table.add_row(Text(f"{stop.path}\n{stop.label}"), verdict(stop.report), why(stop.report))
    console.print(table)
    console.print(Text("Try one yourself:", style="dim"))
    # the command alone on its line, never broken by rich: a narrow terminal wraps it visually,
    # and a copy pastes it whole
    console.print(
        Text(
            f"cors-probe check URL --origin {origin} -X PUT "
            "-H 'Content-Type: application/json' --yes --browser all",
            style="dim",
        ),
        soft_wrap=True,
    )


def print_report(
    report: Report,
    *,
    show_secrets: bool = False,
    verbose: bool = False,
    console: Console | None = None,
) -> None:
    console = console or Console(highlight=False, soft_wrap=False)
    console.print(build(report, show_secrets=show_secrets, verbose=verbose), crop=False)
    if report.fix is not None:
        from cors_probe.render.fixes import fixes_text

        console.print(Text(fixes_text(report)), crop=False)


def write(subject: Subject, out: TextIO, options: RenderOptions) -> None:
    """The writer of `Format.TEXT` (see cors_probe.render): rich on a terminal, plain in a file."""
    if options.to_file:
        console = Console(file=out, width=120, highlight=False, color_system=None)
    else:
        console = Console(file=out, highlight=False)
    if isinstance(subject, Run):
        from cors_probe.render.text_run import print_run

        print_run(subject, console)
    elif isinstance(subject, Report):
        print_report(
            subject, show_secrets=options.show_secrets, verbose=options.verbose, console=console
        )
    else:  # a Tour: usecases.demo is not imported by a check
        print_tour(subject, console)
