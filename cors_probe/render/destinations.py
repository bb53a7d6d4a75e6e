"""Where a command's reports go: `--format` to stdout, or `--output` files.

`--output FILE` writes `--format` to FILE and leaves the terminal the text summary;
`--output FORMAT:FILE` (repeatable) writes another format besides, e.g. GitHub annotations on
stdout and a JUnit file from the same run: `--format github --output junit:cors-junit.xml`.
For a run, each check's JSON entry is spooled as it finishes (`Outputs.keep`), so a long run with
a JSON destination holds no report in memory.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TextIO

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


def _writable(path: str) -> None:
    """UsageError unless `path` can be written: not a directory, an existing file writable, a new
    one creatable in its folder. Nothing is created or truncated here."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"--output {path!r}: no such directory {folder!r}")
    if os.path.isdir(path):
        raise UsageError(f"--output {path!r}: is a directory; give a file name")
    if os.path.exists(path):
        if not os.access(path, os.W_OK):
            raise UsageError(f"--output {path!r}: the file is not writable")
    elif not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"--output {path!r}: cannot create a file in {folder!r}")


_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9]+")
"""What `--output FORMAT:FILE` puts before the colon (two letters at least: `C:` is a drive)."""


def plan(output_format: Format, outputs: list[str], keep: Iterable[str] = ()) -> Destinations:
    """Validate every destination before anything is sent (UsageError: an unknown FORMAT in
    FORMAT:FILE, no such directory, a directory, a file that cannot be written or created, a
    file named twice, an empty name, one of the `keep` files: the policy file itself)."""
    files: list[tuple[Format, str]] = []
    stdout = output_format
    names = {f.value for f in Format}
    for given in outputs:
        prefix, colon, rest = given.partition(":")
        if colon and prefix.lower() in names:
            files.append((Format(prefix.lower()), rest))
        elif colon and _PREFIX.fullmatch(prefix) and not rest.startswith("//"):
            known = ", ".join(f.value for f in Format)
            raise UsageError(f"--output {given!r}: unknown format {prefix!r} (formats: {known})")
        else:
            files.append((output_format, given))
            stdout = Format.TEXT
    kept = {os.path.realpath(path) for path in keep}
    for _, path in files:
        if not path:
            raise UsageError(f"--output {path!r}: give a file name")
        if os.path.realpath(path) in kept:
            raise UsageError(f"--output {path!r}: is the policy file; give another file name")
        _writable(path)
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

    @property
    def wants_reports(self) -> bool:
        """Whether an output shows each check's full report (JSON): `keep` does something."""
        return self._spool is not None

    def keep(self, index: int, result: CheckResult, report: Report) -> None:
        """Called as each check of a run finishes: spool its JSON entry when JSON is wanted."""
        if self._spool is not None:
            from cors_probe.render.json import entry

            show = self._options.show_secrets
            text = entry(self._path, result, report, secrets=self._secrets, show_secrets=show)
            self._spool.write(index, text)

    def _options_for(self, to_file: bool) -> RenderOptions:
        entries = self._spool.in_order() if self._spool is not None else ()
        return replace(self._options, entries=entries, to_file=to_file)

    def write(self, subject: Subject) -> None:
        """Every file, then stdout (UsageError when a file cannot be written)."""
        for file_format, path in self._destinations.files:
            try:
                with _replacing(path) as file:
                    write(subject, file_format, file, self._options_for(to_file=True))
            except OSError as error:
                raise UsageError(f"--output {path!r}: {error.strerror or error}") from error
        options = self._options_for(to_file=False)
        write(subject, self._destinations.stdout, sys.stdout, options)


@contextlib.contextmanager
def _replacing(path: str) -> Iterator[TextIO]:
    """A file that becomes `path` only once fully written: a temporary file in the same folder,
    renamed over it at the end, so an interrupted write (Ctrl-C, a full disk) leaves the old file
    or none, never half a report. Not a regular file (/dev/stdout, a FIFO) or a folder that
    takes no new file: written in place."""
    real = os.path.realpath(path)
    folder = os.path.dirname(real)
    exists = os.path.exists(real)
    if (exists and not os.path.isfile(real)) or not os.access(folder, os.W_OK | os.X_OK):
        with open(path, "w", encoding="utf-8") as file:
            yield file
        return
    temporary = os.path.join(folder, f".{os.path.basename(real)}.{uuid.uuid4().hex[:12]}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            if exists:
                os.chmod(temporary, stat.S_IMODE(os.stat(real).st_mode))
            yield file
        os.replace(temporary, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
