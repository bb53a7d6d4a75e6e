"""GitHub Actions workflow commands: an annotation on the check's line of the policy file.

    ::error file=cors-probe.toml,line=12,title=CORS: api · app · GET https://…::expected …

Failures and unreachable targets are errors; the last line is a notice with the tally. Values are
escaped as the runner's toolkit does (`%`, CR and LF in messages; also `:` and `,` in properties).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from cors_probe.render.subjects import as_run
from cors_probe.render.words import details, title
from cors_probe.usecases.results import Run, Status, Tally

if TYPE_CHECKING:
    from cors_probe.render import RenderOptions, Subject


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties: str) -> str:
    props = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items())
    return f"::{kind}{' ' + props if props else ''}::{escape_data(message)}"


def render(run: Run) -> str:
    lines = []
    for result in run.results:
        if result.status is Status.FAILED and run.counts(result):
            heading = "CORS expectation failed"
        elif result.status is Status.UNREACHABLE:
            heading = "CORS check could not reach the server"
        else:
            continue
        where = {"file": run.policy.path, "line": str(result.spec.line)} if run.policy.path else {}
        lines.append(
            command(
                "error", "\n".join(details(result)), **where, title=f"{heading}: {title(result)}"
            )
        )
    summary = Tally.of(run.results).sentence()
    if run.known:
        summary += f" ({len(run.known)} known from the baseline)"
    lines.append(command("notice", summary, title="cors-probe"))
    return "\n".join(lines) + "\n"


def write(subject: Subject, out: TextIO, options: RenderOptions) -> None:
    """The writer of `Format.GITHUB` (see cors_probe.render)."""
    del options  # cleaned by render.writer, secrets masked by value
    out.write(render(as_run(subject)))
