"""Every output of every command: one `Format` enum, one writer signature, dispatched exhaustively.

    write(subject, Format.JUNIT, sys.stdout, RenderOptions(show_secrets=False))

A subject is what a command produced: a `Report` (check, simulate), a `Tour` (demo) or a `Run`
(run). Every format writes every subject: JUnit, SARIF and GitHub annotations see a `Report` or a
`Tour` as a run whose checks expect `allowed`. Writers are imported when used, so naming `Format`
at start-up costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, TextIO, assert_never

if TYPE_CHECKING:
    from cors_probe.model import Report
    from cors_probe.usecases.demo import Tour
    from cors_probe.usecases.results import Run

    Subject = Report | Tour | Run


class Format(StrEnum):
    """`--format` of every command."""

    TEXT = "text"
    """A rich report for people; plain text when written to a file."""
    JSON = "json"
    """The stable documents cors-probe/check/1, cors-probe/demo/1 and cors-probe/run/1."""
    JUNIT = "junit"
    """JUnit XML, one test case per check (Jenkins, GitLab, Azure Pipelines, CircleCI)."""
    SARIF = "sarif"
    """SARIF 2.1.0 for code-scanning dashboards."""
    GITHUB = "github"
    """GitHub Actions workflow commands: an annotation per failed check."""


@dataclass(frozen=True, slots=True)
class RenderOptions:
    show_secrets: bool = False
    """Do not mask secrets (by name, nor by value: `secrets` and a policy file's environment
    values)."""
    verbose: bool = False
    """Text: every header as put on the wire, and what script can read."""
    entries: Iterable[str] = ()
    """JSON of a run: each check's spooled entry, in file order."""
    to_file: bool = False
    """Text: plain and 120 columns wide, for a file rather than the terminal."""
    secrets: frozenset[str] = frozenset()
    """Values masked wherever they show up, besides those of the subject's own requests (see
    `render.scrub.secrets_in`)."""


Writer = Callable[["Subject", TextIO, RenderOptions], None]


def writer(output_format: Format) -> Writer:
    """The writer of a format: `writer(f)(subject, out, options)` writes one whole document.

    Every writer sees the subject cleaned first, in one place (`render.scrub.clean`): secrets
    masked by value (unless `show_secrets`), and control characters made visible in the formats
    that reach a terminal or a log as they are (text, JUnit, GitHub). Of a run, only the results
    the format reads are cleaned, the others blanked (`render.shown`)."""
    write_format = _writer(output_format)
    controls = output_format in (Format.TEXT, Format.JUNIT, Format.GITHUB)

    def clean_then_write(subject: Subject, out: TextIO, options: RenderOptions) -> None:
        from cors_probe.render.scrub import clean, needs_cleaning, secrets_in
        from cors_probe.usecases.results import Run

        secrets = frozenset() if options.show_secrets else options.secrets | secrets_in(subject)
        if isinstance(subject, Run) and needs_cleaning(secrets, controls=controls):
            from cors_probe.render.shown import clean_run, reads

            # only the results the format reads are cleaned; the others are blanks
            cleaned = clean_run(subject, secrets, controls=controls, read=reads(output_format))
            write_format(cleaned, out, options)
        else:
            write_format(clean(subject, secrets, controls=controls), out, options)

    return clean_then_write


def _writer(output_format: Format) -> Writer:
    match output_format:
        case Format.TEXT:
            from cors_probe.render import text

            return text.write
        case Format.JSON:
            from cors_probe.render import json

            return json.write
        case Format.JUNIT:
            from cors_probe.render import junit

            return junit.write
        case Format.SARIF:
            from cors_probe.render import sarif

            return sarif.write
        case Format.GITHUB:
            from cors_probe.render import github

            return github.write
        case _:
            assert_never(output_format)


def write(
    subject: Subject, output_format: Format, out: TextIO, options: RenderOptions | None = None
) -> None:
    """Write `subject` as `output_format` to `out`."""
    writer(output_format)(subject, out, options or RenderOptions())
