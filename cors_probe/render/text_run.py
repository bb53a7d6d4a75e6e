"""The terminal: a progress bar (or plain lines in CI logs) while checks run; then the summary
table, failures first, each failure in full, and the tally."""

from __future__ import annotations

import sys
from typing import TextIO
from urllib.parse import urlsplit

from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from cors_probe.render.scrub import clean_line, secrets_of
from cors_probe.render.words import details, title
from cors_probe.usecases.results import CheckResult, Run, Status, Tally, failures_first

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
        if self._stream.isatty():
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
        return "; ".join(p.removeprefix("required finding ") for p in result.problems)
    return ""


def print_run(run: Run, console: Console | None = None) -> None:
    """The summary of a run, cleaned by `render.writer` (secrets scrubbed, controls visible)."""
    console = console or Console(highlight=False)
    clean = Text

    shown = failures_first(run.results)
    if run.baseline is not None:
        changed = {c.check for c in run.changes}
        shown = [r for r in shown if r.spec.ident in changed]
    rows, omitted = shown[:MAX_ROWS], shown[MAX_ROWS:]
    reasons = [_reason(r) for r in rows]
    table = Table(
        title=f"cors-probe run: {run.policy.path}",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("", no_wrap=True)
    table.add_column("check", overflow="fold", min_width=8)
    table.add_column("origin", overflow="fold", min_width=4)
    table.add_column("method", no_wrap=True)
    table.add_column("path", overflow="fold", min_width=7)
    table.add_column("expect", no_wrap=True)
    table.add_column("got", no_wrap=True)
    table.add_column("decisive finding", no_wrap=True, min_width=max(map(len, reasons), default=0))
    for result, why in zip(rows, reasons, strict=True):
        label, style = STATUS_STYLE[result.status]
        if result.status is Status.FAILED and not run.counts(result):
            label, style = "✘ known", "yellow"
        table.add_row(
            Text(label, style=style),
            clean(result.spec.name),
            clean(result.spec.origin_name),
            clean(result.spec.shape.method),
            clean(_path(result.spec.shape.url)),
            Text(result.spec.expect),
            Text(result.got, style="green" if result.got == result.spec.expect else "red"),
            clean(why),
        )
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
