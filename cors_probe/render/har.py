"""`cors-probe har`'s output: the table of a capture's cross-origin requests, then the full
report of each blocked one (or of the one picked), as text or JSON.

Each report is written by `check`'s own writers (render.write), so a captured request reads as a
checked one, marked captured. Secrets are masked as everywhere (render.scrub): the table's URLs
by value, the reports by name and value; the derivation names dropped headers, never values.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from cors_probe.explain.catalogue import explain
from cors_probe.explain.engines import label
from cors_probe.model import Derivation, ExchangeKind, Report

if TYPE_CHECKING:
    from cors_probe.render import Format, RenderOptions
    from cors_probe.usecases.har import Capture, Row

SCHEMA = "cors-probe/har/1"
ORIGIN_FROM = {
    "Origin": "from its Origin header",
    "Referer": "from its Referer",
    "referrer": "from fetch()'s referrer",
    "flag": "given with --origin",
}
CREDENTIALS_FROM = {
    "Cookie": "include (it carried a Cookie)",
    "credentials": "include (fetch()'s credentials option)",
    "flag": "include (given with --credentials)",
    "preflight": "include (inferred: the browser did not send the request after its "
    "preflight, which passes only for a request without credentials)",
}


def _secrets(row: Row, options: RenderOptions) -> frozenset[str]:
    """The values masked in `row`'s output: its report's (render.scrub.secrets_in) and the
    secret query values of its URLs (the one a capture cannot answer included)."""
    from cors_probe.render.scrub import secrets_in, url_secrets

    if options.show_secrets:
        return frozenset()
    found = set(options.secrets) | url_secrets(row.url)
    report, unsent = row.explanation.report, row.explanation.unsent
    if report is not None:
        found |= secrets_in(report)
    if unsent is not None:
        found |= url_secrets(unsent.url)
    for untold in row.explanation.untold:
        found |= url_secrets(untold.request.url)
    return frozenset(found)


def _clean(text: str, row: Row, options: RenderOptions) -> str:
    from cors_probe.render.scrub import clean_line

    return clean_line(text, _secrets(row, options))


def _url(row: Row, options: RenderOptions) -> str:
    return _clean(row.url, row, options)


def derivation_line(row: Row) -> str:
    """How the request was read from the capture, in check's words (render/derived.py)."""
    from cors_probe.render.derived import shape_line

    shape = row.explanation.shape
    if row.explanation.report is not None:
        shape = row.explanation.report.shape
    if shape is None:
        return ""
    return shape_line(row.derivation, shape) + "."


def unsent_lines(row: Row) -> list[str]:
    """What the capture cannot answer: one line per engine it cannot tell (the engine judging,
    not the one that made the capture)."""
    lines = []
    for untold in row.explanation.untold:
        kind = "preflight" if untold.kind is ExchangeKind.PREFLIGHT else "request"
        request = untold.request
        lines.append(
            f"Cannot tell from the capture for {label(untold.engine)}: {label(untold.engine)} "
            f"would send the {kind} {request.method} {request.url}, and the capture holds no "
            "response to it (the browser that made it never sent it, or failed it without one). "
            "--replay asks the live server."
        )
    return lines


def _skipped_secrets(capture: Capture, options: RenderOptions) -> frozenset[str]:
    """The secret query values (`api_key=`, `token=`...) of the skipped entries' URLs."""
    from cors_probe.render.scrub import url_secrets

    if options.show_secrets:
        return frozenset()
    found = set(options.secrets)
    for left in capture.skipped:
        found |= url_secrets(left.url)
    return frozenset(found)


def skipped_summary(capture: Capture) -> str:
    """`3 entries skipped: not http(s), 1 entry skipped: cannot be read` ('' when none)."""
    from cors_probe.usecases.har import NOT_HTTP

    counts: dict[str, int] = {}
    for left in capture.skipped:
        why = NOT_HTTP if left.reason == NOT_HTTP else "cannot be read"
        counts[why] = counts.get(why, 0) + 1
    return ", ".join(
        f"{n} entr{'ies' if n != 1 else 'y'} skipped: {why}" for why, n in counts.items()
    )


def _verdict(row: Row) -> str:
    """The table's verdict: the first judged engine's, and the engines it cannot tell for."""
    untold = row.explanation.untold
    if row.verdict is None:
        return "cannot tell"
    if not untold:
        return row.verdict.value
    return f"{row.verdict.value}; cannot tell for {', '.join(label(u.engine) for u in untold)}"


def _decisive(report: Report | None) -> str:
    if report is None or report.outcome.decisive is None:
        return ""
    return explain(report.outcome.decisive).title


def write(capture: Capture, output_format: Format, out: TextIO, options: RenderOptions) -> None:
    """Write `capture` as text (the table, then each blocked or picked report) or JSON."""
    from cors_probe.render import Format

    if output_format is Format.JSON:
        out.write(json.dumps(to_dict(capture, options), indent=2, ensure_ascii=False) + "\n")
    else:
        _write_text(capture, out, options)


def _write_text(capture: Capture, out: TextIO, options: RenderOptions) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from cors_probe.render import Format, write
    from cors_probe.render.scrub import visible

    console = (
        Console(file=out, width=120, highlight=False, color_system=None)
        if options.to_file
        else Console(file=out, highlight=False)
    )
    how = "replayed against the live server" if capture.replayed else "from the capture"
    engine = label(capture.engine) if capture.engine else "an unknown engine"
    if capture.note:
        console.print(Text(capture.note))
    if not capture.picked:
        summary = skipped_summary(capture)
        console.print(
            Text(
                f"{visible(capture.path)}: {len(capture.rows)} cross-origin request"
                f"{'s' if len(capture.rows) != 1 else ''}, captured by {engine}; verdicts {how}"
                + (f"; {summary}" if summary else "")
            )
        )
        table = Table()
        for name in ("entry", "method", "URL", "status", "verdict", "decisive finding"):
            table.add_column(name, overflow="fold")  # a URL is shown whole, never cut
        for row in capture.rows:
            table.add_row(
                str(row.entry),
                Text(visible(row.method)),
                Text(visible(_url(row, options))),
                str(row.status) if row.status else "-",
                _verdict(row),
                Text(_decisive(row.explanation.report)),
            )
        console.print(table)
        _write_skipped(capture, console, options)
    for row in capture.rows:
        report = row.explanation.report
        blocked = report is not None and report.outcome.verdict.value == "blocked"
        if not (capture.picked or blocked or report is None):
            continue
        console.print()
        console.print(Text(f"HAR entry {row.entry}:", style="bold"))
        if report is None:  # else check's renderer says how it was derived (render/derived.py)
            console.print(Text(visible(_clean(derivation_line(row), row, options))))
        else:
            console.file.flush()
            write(report, Format.TEXT, out, options)
        for line in unsent_lines(row):
            console.print(Text(visible(_clean(line, row, options))))


def _write_skipped(capture: Capture, console: Any, options: RenderOptions) -> None:
    """One line per entry skipped for a reason other than not being http(s) (those are only
    counted in the header line)."""
    from rich.text import Text

    from cors_probe.render.scrub import clean_line, visible
    from cors_probe.usecases.har import NOT_HTTP

    secrets = _skipped_secrets(capture, options)
    for left in capture.skipped:
        if left.reason != NOT_HTTP:
            line = f"entry {left.entry} skipped: {left.reason}"
            console.print(Text(visible(clean_line(line, secrets))))


def to_dict(capture: Capture, options: RenderOptions) -> dict[str, Any]:
    """The JSON document: `cors-probe/har/1`, one item per request; each `report` is `check`'s
    document (cors-probe/check/1) of it, marked `captured`, or null when the capture cannot
    tell (`unsent` says which request it lacks); `skipped` lists the entries left out (entry,
    method, url, reason: `not http(s)` or why it cannot be read), secrets masked. A picked
    request with a report is that report's document itself, with `entry` and `derived` added."""
    from cors_probe.render.json import to_dict as check_dict
    from cors_probe.render.scrub import clean, clean_line

    hidden = _skipped_secrets(capture, options)

    items: list[dict[str, Any]] = []
    for row in capture.rows:
        report = row.explanation.report
        document = None
        if report is not None:
            cleaned = clean(report, _secrets(row, options), controls=False)
            document = check_dict(cleaned, show_secrets=options.show_secrets)
        unsent = row.explanation.unsent
        items.append(
            {
                "entry": row.entry,
                "method": row.method,
                "url": _url(row, options),
                "status": row.status or None,
                "verdict": row.verdict.value if row.verdict is not None else None,
                "decisive": (
                    report.outcome.decisive.code.value
                    if report is not None and report.outcome.decisive is not None
                    else None
                ),
                "derived": derived_dict(row.derivation),
                "untold": [
                    {
                        "engine": u.engine,
                        "kind": u.kind.value,
                        "method": u.request.method,
                        "url": _clean(u.request.url, row, options),
                    }
                    for u in row.explanation.untold
                ],
                "unsent": (
                    {
                        "kind": (row.explanation.unsent_kind or ExchangeKind.ACTUAL).value,
                        "method": unsent.method,
                        "url": _clean(unsent.url, row, options),
                    }
                    if unsent is not None
                    else None
                ),
                "report": document,
            }
        )
    if capture.picked and len(items) == 1 and items[0]["report"] is not None:
        single: dict[str, Any] = items[0]["report"]
        extra = {"entry": items[0]["entry"], "derived": items[0]["derived"]}
        return {**single, **extra, "untold": items[0]["untold"], "note": capture.note or None}
    return {
        "schema": SCHEMA,
        "file": capture.path,
        "engine": capture.engine,
        "judged_by": list(capture.judged),
        "note": capture.note or None,
        "replayed": capture.replayed,
        "requests": items,
        "skipped": [
            {
                "entry": left.entry,
                "method": left.method,
                "url": clean_line(left.url, hidden),
                "reason": clean_line(left.reason, hidden),
            }
            for left in capture.skipped
        ],
    }


def derived_dict(derived: Derivation) -> dict[str, Any]:
    """The derivation as JSON: where the origin and credentials came from, the headers left
    out (name, reason; values masked like any header unless --show-secrets is not needed:
    only names are written), the flags that replaced what was derived."""
    return {
        "source": derived.source,
        "origin_from": derived.origin_from,
        "credentials_from": derived.credentials_from,
        "dropped": [{"name": d.name, "reason": d.reason} for d in derived.dropped],
        "overridden": list(derived.overridden),
        "engine": derived.engine,
    }
