"""Where a command's reports go: `--format` to stdout, or `--output` files.

`--output FILE` writes `--format` to FILE and leaves the terminal the text summary;
`--output FORMAT:FILE` (repeatable) writes another format besides, e.g. GitHub annotations on
stdout and a JUnit file from the same run: `--format github --output junit:cors-junit.xml`.
For a run, each check's JSON entry is spooled as it finishes (`Outputs.keep`), so a long run with
a JSON destination holds no report in memory.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cors_probe.errors import UsageError
from cors_probe.render import Format, RenderOptions, write

if TYPE_CHECKING:
    from cors_probe.model import Report
    from cors_probe.render import Subject
    from cors_probe.render.spool import Spool
    from cors_probe.usecases.results import CheckResult


@dataclass(frozen=True, slots=True)
class Destinations:
    stdout: Format
    files: tuple[tuple[Format, str], ...]

    @property
    def formats(self) -> set[Format]:
        return {self.stdout, *(f for f, _ in self.files)}


def plan(output_format: Format, outputs: list[str]) -> Destinations:
    """Validate every destination before anything is sent (UsageError: no such directory, a file
    named twice, an empty name)."""
    files: list[tuple[Format, str]] = []
    stdout = output_format
    for given in outputs:
        prefix, colon, rest = given.partition(":")
        if colon and prefix in {f.value for f in Format}:
            files.append((Format(prefix), rest))
        else:
            files.append((output_format, given))
            stdout = Format.TEXT
    for _, path in files:
        if not path:
            raise UsageError(f"--output {path!r}: give a file name")
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise UsageError(f"--output {path!r}: no such directory {folder!r}")
    paths = [os.path.abspath(p) for _, p in files]
    if len(set(paths)) != len(paths):
        raise UsageError("--output: the same file is named twice")
    return Destinations(stdout, tuple(files))


class Outputs:
    """Every destination of one command: opened before the work, written after it."""

    def __init__(
        self,
        destinations: Destinations,
        options: RenderOptions,
        *,
        policy_path: str = "",
        secrets: frozenset[str] = frozenset(),
    ) -> None:
        self._destinations, self._options = destinations, options
        self._path, self._secrets = policy_path, secrets
        self._spool: Spool | None = None

    def __enter__(self) -> Outputs:
        if Format.JSON in self._destinations.formats:
            from cors_probe.render.spool import Spool

            self._spool = Spool()
        return self

    def __exit__(self, *_: object) -> None:
        if self._spool is not None:
            self._spool.close()

    def keep(self, index: int, result: CheckResult, report: Report) -> None:
        """Called as each check of a run finishes: spool its JSON entry when JSON is wanted."""
        if self._spool is not None:
            from cors_probe.render.json import entry

            show = self._options.show_secrets
            text = entry(self._path, result, report, secrets=self._secrets, show_secrets=show)
            self._spool.write(index, text)

    def _options_for(self, to_file: bool) -> RenderOptions:
        entries = self._spool.in_order() if self._spool is not None else ()
        return RenderOptions(
            self._options.show_secrets, self._options.verbose, entries, to_file=to_file
        )

    def write(self, subject: Subject) -> None:
        """Every file, then stdout (UsageError when a file cannot be written)."""
        for file_format, path in self._destinations.files:
            try:
                with open(path, "w", encoding="utf-8") as file:
                    write(subject, file_format, file, self._options_for(to_file=True))
            except OSError as error:
                raise UsageError(f"--output {path!r}: {error.strerror or error}") from error
        options = self._options_for(to_file=False)
        write(subject, self._destinations.stdout, sys.stdout, options)
