"""A run's results -> one document per format. Nothing here sends, decides or prints."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from cors_probe.batch.run import Run


class RunFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    JUNIT = "junit"
    GITHUB = "github"
    SARIF = "sarif"


def write(
    run: Run,
    output_format: RunFormat,
    out: TextIO,
    *,
    entries: Iterable[str] = (),
    show_secrets: bool = False,
) -> None:
    """The whole document for a format (text as plain, uncoloured text, for a file); for JSON,
    `entries` are the checks' spooled entries in file order."""
    if output_format is RunFormat.TEXT:
        from rich.console import Console

        from cors_probe.batch.formats.text import print_run

        console = Console(file=out, width=120, highlight=False, color_system=None)
        print_run(run, console, show_secrets=show_secrets)
        return
    if output_format is RunFormat.JSON:
        from cors_probe.batch.formats import json

        json.write(run, entries, out, show_secrets=show_secrets)
        return
    if output_format is RunFormat.JUNIT:
        from cors_probe.batch.formats import junit

        out.write(junit.render(run, show_secrets=show_secrets))
    elif output_format is RunFormat.GITHUB:
        from cors_probe.batch.formats import github

        out.write(github.render(run, show_secrets=show_secrets))
    else:
        from cors_probe.batch.formats import sarif

        out.write(sarif.render(run, show_secrets=show_secrets))
