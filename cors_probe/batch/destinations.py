"""Where a run's reports go: `--format` to stdout, or `--output` files.

`--output FILE` writes `--format` to FILE and leaves the terminal the text summary;
`--output FORMAT:FILE` (repeatable) writes another format besides, e.g. GitHub annotations on
stdout and a JUnit file from the same run: `--format github --output junit:cors-junit.xml`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cors_probe.batch.formats import RunFormat
from cors_probe.errors import UsageError


@dataclass(frozen=True, slots=True)
class Destinations:
    stdout: RunFormat
    files: tuple[tuple[RunFormat, str], ...]

    @property
    def formats(self) -> set[RunFormat]:
        return {self.stdout, *(f for f, _ in self.files)}


def plan(output_format: RunFormat, outputs: list[str]) -> Destinations:
    """Validate every destination before anything is sent."""
    files: list[tuple[RunFormat, str]] = []
    stdout = output_format
    for given in outputs:
        prefix, colon, rest = given.partition(":")
        if colon and prefix in {f.value for f in RunFormat}:
            files.append((RunFormat(prefix), rest))
        else:
            files.append((output_format, given))
            stdout = RunFormat.TEXT
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
