"""The terminal: a progress bar (or plain lines in CI logs) while checks run; then the summary
table, failures first, each failure in full, and the tally."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO
from urllib.parse import urlsplit

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cors_probe.render.scrub import clean_line, secrets_of
from cors_probe.render.words import details, title
from cors_probe.usecases.results import ORDER, CheckResult, Run, Status, Tally, failures_first

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

MAX_ROWS = 100
"""Rows of the summary table; past these (passes go last), one line says how many more. A table
of thousands of rows is unreadable, and rich holds all of it in memory to lay it out."""
MAX_DETAILS = 50
STATUS_STYLE = {
    Status.PASSED: ("✔ pass", "green"),
    Status.FAILED: ("✘ FAIL", "bold red"),
    Status.UNREACHABLE: ("✘ unreachable", "bold red"),
    Status.SKIPPED: ("- skipped", "dim"),
}


class RunProgress:
    """A rich progress bar on a terminal; otherwise one plain line per finished check."""

    def __init__(self, total: int, secrets: frozenset[str], stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._total, self._secrets = total, secrets
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        if self._stream.isatty():  # rich.progress (and rich.live) only for a bar: CI logs get lines
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                TextColumn("cors-probe run"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed"),
                TimeElapsedColumn(),
                console=Console(file=self._stream),
                transient=True,
            )
        self._failed = 0

    def __enter__(self) -> RunProgress:
        if self._bar is not None:
            self._bar.start()
            self._task = self._bar.add_task("checks", total=self._total, failed=0)
        return self

    def __exit__(self, *_: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, done: int, total: int, result: CheckResult) -> None:
        self._failed += result.status is Status.FAILED
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done, failed=self._failed)
            return
        width = len(str(total))
        line = f"[{done:>{width}}/{total}] {result.status.value:<11} {title(result)}"
        secrets = self._secrets | secrets_of(result.spec.shape)
        self._stream.write(clean_line(line, secrets) + "\n")
        self._stream.flush()


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _reason(result: CheckResult) -> str:
    """The decisive finding's code; for a failure with none, what went wrong."""
    finding = result.problem_finding
    if finding is not None:
        return finding.code.value
    if result.status is Status.FAILED:
        if (result.spec.expect, result.got) == ("blocked", "allowed") and result.allowed_by:
            return f"ACAO: {result.allowed_by}"
        return "; ".join(p.removeprefix("required finding ") for p in result.problems)
    return ""


NARROW = 100
"""Below this many columns the table merges columns: origin into the check, method into the
request, `expect` into `got` (shown only when it differs), shorter status labels."""
SHORT_STATUS = {
    Status.PASSED: "✔ pass",
    Status.FAILED: "✘ FAIL",
    Status.UNREACHABLE: "✘ error",
    Status.SKIPPED: "- skip",
}
GAP = 2
"""Between two columns: rich's padding of one either side, collapsed."""
EDGES = 2
"""The table's left and right edge (blank in the SIMPLE_HEAD box)."""
REASON_WIDTH = {True: 20, False: 32}
"""Narrow or not: the most a reason in words (not a finding code, which is never broken) takes
before it wraps at spaces."""


def _fold_path(path: str, width: int) -> list[str]:
    """A path in lines of at most `width`, broken only before `/`, `?` or `&` (never inside a
    segment; one longer than `width` stays whole, and the table ends it with an ellipsis)."""
    lines: list[str] = []
    for piece in filter(None, re.split(r"(?=[/?&])", path)):
        if lines and len(lines[-1]) + len(piece) <= width:
            lines[-1] += piece
        else:
            lines.append(piece)
    return lines or [path]


def _request(method: str, path: str, width: int) -> str:
    """`METHOD path` on one line when it fits; else the method, then the path folded."""
    if len(method) + 1 + len(path) <= width:
        return f"{method} {path}"
    return "\n".join([method, *_fold_path(path, width)])


def _words_lines(text: str, width: int) -> int:
    """How many lines rich wraps `text` into at `width` (at spaces; a longer word folded)."""
    lines, used = 0, width
    for word in text.split():
        if used + 1 + len(word) <= width:
            used += 1 + len(word)
        else:
            lines += -(-len(word) // width)
            used = len(word) % width or width
    return max(lines, 1)


def _request_lines(request: str, width: int) -> int:
    method, _, path = request.partition(" ")
    return len(_request(method, path, width).splitlines())


def _path_lines(path: str, width: int) -> int:
    return (
        len(_fold_path(path, width))
        if all(len(p) <= width for p in re.split(r"(?=[/?&])", path))
        else 99
    )


def _fit(texts: list[str], lines_at: Callable[[str, int], int]) -> tuple[int, int]:
    """The width that keeps every text on one line, and the least that keeps each on two."""
    natural = max(map(len, texts))
    two = max(next((w for w in range(1, len(t) + 1) if lines_at(t, w) <= 2), len(t)) for t in texts)
    return natural, two


def _shares(room: int, check: tuple[int, int], path: tuple[int, int]) -> tuple[int, int]:
    """Split `room` columns between the check and the path (each given as its one-line and its
    two-line width): both on one line when they fit, else the path on one line and the check on
    two, else both on two, else about half each."""
    (check_one, check_two), (path_one, path_two) = check, path
    if check_one + path_one <= room:
        return check_one, path_one
    if check_two + path_one <= room:
        return min(check_one, room - path_one), path_one
    if check_two + path_two <= room:
        check_width = min(check_one, room - path_two)
        return check_width, room - check_width
    path_width = max(10, min(path_two, room // 2))
    return max(8, room - path_width), path_width


def _table(run: Run, rows: list[CheckResult], width: int) -> Table:
    """The summary table, laid out for `width` columns (see NARROW)."""
    narrow = width < NARROW
    reasons = [_reason(r) for r in rows]
    coded = [len(why) for r, why in zip(rows, reasons, strict=True) if r.problem_finding]
    worded = [len(why) for r, why in zip(rows, reasons, strict=True) if not r.problem_finding]
    why_width = max([len("decisive"), *coded, min(max(worded, default=0), REASON_WIDTH[narrow])])
    labels = []
    for result in rows:
        label, style = STATUS_STYLE[result.status]
        if narrow:
            label = SHORT_STATUS[result.status]
        if result.status is Status.FAILED and not run.counts(result):
            label, style = "✘ known", "yellow"
        labels.append(Text(label, style=style))
    status_width = max((len(t) for t in labels), default=0)
    paths = [_path(r.spec.shape.url) for r in rows]
    table = Table(
        title=f"cors-probe run: {run.policy.path}",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("", no_wrap=True, width=status_width)
    if narrow:
        checks = [f"{r.spec.name} · {r.spec.origin_name}" for r in rows]
        requests = [f"{r.spec.shape.method} {p}" for r, p in zip(rows, paths, strict=True)]
        gots = [r.got if r.got == r.spec.expect else f"{r.got}\nwant {r.spec.expect}" for r in rows]
        got_width = max(len(line) for cell in [*gots, "got"] for line in cell.splitlines())
        fixed = status_width + got_width + why_width + 4 * GAP + EDGES
        check_width, request_width = _shares(
            width - fixed,
            _fit([*checks, "check"], _words_lines),
            _fit([*requests, "request"], _request_lines),
        )
        table.add_column("check", overflow="fold", width=check_width)
        table.add_column("request", no_wrap=True, overflow="ellipsis", width=request_width)
        table.add_column("got", no_wrap=True, width=got_width)
    else:
        origin_width = max(map(len, [*(r.spec.origin_name for r in rows), "origin"]))
        method_width = max(map(len, [*(r.spec.shape.method for r in rows), "method"]))
        verdicts_width = sum(
            max(map(len, [*values, header]))
            for values, header in (
                ((r.spec.expect for r in rows), "expect"),
                ((r.got for r in rows), "got"),
            )
        )
        fixed = status_width + origin_width + method_width + verdicts_width + why_width
        check_width, request_width = _shares(
            width - fixed - 7 * GAP - EDGES,
            _fit([*(r.spec.name for r in rows), "check"], _words_lines),
            _fit([*paths, "path"], _path_lines),
        )
        table.add_column("check", overflow="fold", width=check_width)
        table.add_column("origin", overflow="fold", width=origin_width)
        table.add_column("method", no_wrap=True, width=method_width)
        table.add_column("path", no_wrap=True, overflow="ellipsis", width=request_width)
        table.add_column("expect", no_wrap=True)
        table.add_column("got", no_wrap=True)
    table.add_column("decisive finding", overflow="fold", width=why_width)
    for result, mark, path, why in zip(rows, labels, paths, reasons, strict=True):
        spec = result.spec
        matched = "green" if result.got == spec.expect else "red"
        if narrow:
            verdict = Text(result.got, style=matched)
            if result.got != spec.expect:
                verdict.append(f"\nwant {spec.expect}", style="dim")
            cells = [
                Text(f"{spec.name} · {spec.origin_name}"),
                Text(_request(spec.shape.method, path, request_width)),
                verdict,
            ]
        else:
            cells = [
                Text(spec.name),
                Text(spec.origin_name),
                Text(spec.shape.method),
                Text("\n".join(_fold_path(path, request_width))),
                Text(spec.expect),
                Text(result.got, style=matched),
            ]
        table.add_row(mark, *cells, Text(why))
    return table


def summary_reads(run: Run) -> list[int] | None:
    """The indexes of the results `print_run` reads beyond their status (`render.shown`): the
    first MAX_ROWS in `failures_first` order (the rows; the failures detailed come first in that
    order, and MAX_DETAILS < MAX_ROWS); None (every one) when the run has a baseline, whose
    changes choose the rows (and its known failures are not detailed)."""
    if run.baseline is not None or run.known or run.changes:
        return None
    order = sorted(range(len(run.results)), key=lambda i: ORDER[run.results[i].status])
    return order[:MAX_ROWS]


def print_run(run: Run, console: Console | None = None) -> None:
    """The summary of a run, cleaned by `render.writer` (secrets scrubbed, controls visible)."""
    console = console or Console(highlight=False)
    clean = Text

    shown = failures_first(run.results)
    if run.baseline is not None:
        changed = {c.check for c in run.changes}
        shown = [r for r in shown if r.spec.ident in changed]
    rows, omitted = shown[:MAX_ROWS], shown[MAX_ROWS:]
    table = _table(run, rows, console.width)
    if rows:
        console.print(table)
    if omitted:
        counts = Tally.of(omitted)
        console.print(
            Text(
                f"… and {len(omitted)} more not shown ({counts.sentence().partition(': ')[2]}); "
                "every check is in --format json",
                style="dim",
            )
        )
    detailed = 0
    for result in shown:
        if result.status is Status.PASSED or (
            result.status is Status.FAILED and not run.counts(result)
        ):
            continue
        detailed += 1
        if detailed > MAX_DETAILS:
            console.print()
            console.print(
                Text(
                    f"… failures past the first {MAX_DETAILS} are not detailed here"
                    "; every one is in --format json or junit",
                    style="dim",
                )
            )
            break
        console.print()
        console.print(
            Text(f"{run.policy.path}:{result.spec.line}: ", style="bold") + clean(title(result))
        )
        for line in details(result)[1:]:
            console.print(Text("  ") + clean(line))
    if run.baseline is not None:
        console.print()
        console.print(Text(f"Changes since the baseline {run.baseline}:", style="bold"))
        if not run.changes:
            console.print(Text("  none"))
        for change in run.changes:
            mark = Text(
                "  ✘ " if change.regression else "  · ", style="red" if change.regression else ""
            )
            console.print(mark + clean(f"{change.kind.value}: {change.detail} ({change.check})"))
    tally = Tally.of(run.results)
    summary = Text()
    summary.append(
        tally.sentence(),
        style="bold red" if tally.failed > len(run.known) else "bold green",
    )
    if run.known:
        summary.append(f" ({len(run.known)} known failures, unchanged since the baseline)")
    summary.append(f" in {run.seconds:.1f} s")
    console.print()
    console.print(summary)
