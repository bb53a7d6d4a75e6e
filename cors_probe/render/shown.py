"""What a format reads of a run's results, so that only those are cleaned before it is written.

`render.writer` cleans a subject before any writer sees it (`render.scrub.clean`). A run of
20,000 checks is 20,000 results, and most formats read few of them beyond their status: the text
summary its first `text_run.MAX_ROWS` rows, SARIF and GitHub annotations the checks that did not
pass, JSON none (its entries are spooled, cleaned as they were made). `clean_run` gives a writer
the run with those results cleaned and every other one replaced by a blank of the same status
(`blank`): what the writer counts is unchanged, and nothing it was not meant to read is there to
be read. The policy's checks, which no writer reads (each result holds its own), are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from cors_probe.render import Format
from cors_probe.render.scrub import clean

if TYPE_CHECKING:
    from cors_probe.usecases.results import CheckResult, Run, Status

Reads = Callable[["Run"], Collection[int] | None]
"""The indexes of the results a format reads beyond their status; None: every result."""

_BLANKS: dict[Status, CheckResult] = {}


def blank(status: Status) -> CheckResult:
    """A result of `status` with nothing else in it (no name, URL, finding or problem): what a
    writer sees of a result it reads only the status of (`Tally`)."""
    found = _BLANKS.get(status)
    if found is None:
        from cors_probe.model import Origin, RequestShape
        from cors_probe.usecases.results import CheckResult
        from cors_probe.usecases.spec import CheckSpec

        spec = CheckSpec("", 0, RequestShape("", Origin.null()), "", "")
        found = _BLANKS[status] = CheckResult(spec, status, (), "", (), None, 0.0)
    return found


def not_passed(run: Run) -> Collection[int]:
    """The results SARIF and GitHub annotations read: those of a check that did not pass."""
    from cors_probe.usecases.results import Status

    return {i for i, r in enumerate(run.results) if r.status is not Status.PASSED}


def nothing(run: Run) -> Collection[int]:
    """JSON reads no result beyond its status: each check's entry was spooled, cleaned."""
    del run
    return ()


def reads(output_format: Format) -> Reads:
    """Which results `output_format` reads (JUnit: every one, a test case each)."""
    if output_format is Format.TEXT:
        from cors_probe.render.text_run import summary_reads

        return summary_reads
    if output_format in (Format.SARIF, Format.GITHUB):
        return not_passed
    if output_format is Format.JSON:
        return nothing
    return lambda run: None


def clean_run(run: Run, secrets: Iterable[str], *, controls: bool, read: Reads) -> Run:
    """`run` as `scrub.clean` would give it, for a writer that reads only the results `read`
    names: those cleaned (in their places), the others blanks of their status, the policy file
    its path alone (no writer reads its checks or its secrets)."""
    from cors_probe.usecases.spec import PolicyFile

    secrets = frozenset(secrets)  # read once per part: an iterator would be spent by the first
    indexes = read(run)
    shell = clean(
        replace(run, policy=PolicyFile(run.policy.path, ()), results=[]), secrets, controls=controls
    )
    if indexes is None:
        # a tuple, not the list: `clean` walks an object shared by many results (an origin, a
        # list of headers) once
        return replace(shell, results=list(clean(tuple(run.results), secrets, controls=controls)))
    chosen = sorted(set(indexes))
    cleaned = clean(tuple(run.results[i] for i in chosen), secrets, controls=controls)
    kept = dict(zip(chosen, cleaned, strict=True))
    results = [kept[i] if i in kept else blank(r.status) for i, r in enumerate(run.results)]
    return replace(shell, results=results)
