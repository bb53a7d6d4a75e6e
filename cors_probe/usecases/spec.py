"""The policy file, as validated data: every check expanded and ready to run.

The CLI names `Unreachable` for `--unreachable` at start-up, so this module imports the model only
for type checking (the model's classes cost about 20 ms to create).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cors_probe.model import RequestShape


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """One check: a request shape and what must hold about the browser's verdict."""

    name: str
    """The check's name as every output shows it: the file's `name`, followed by the engine's
    command-line name in brackets (`health [firefox]`) when the check runs in more than one
    engine or in one other than Chromium (a Chromium-only check keeps the id it always had)."""
    line: int
    """The line of the check's table in the policy file (for CI annotations)."""
    shape: RequestShape
    origin_name: str
    expect: str
    """`allowed` or `blocked`."""
    forbid: tuple[str, ...] = ()
    require: tuple[str, ...] = ()
    allow_side_effects: bool = False
    timeout: float = 10.0
    browser: str = "chrome"
    """The report key of the engine the check runs in: `chrome`, `firefox` or `safari`."""

    @property
    def ident(self) -> str:
        """Stable across runs (for --baseline): name, origin, method and URL."""
        return f"{self.name} | {self.origin_name} | {self.shape.method} {self.shape.url}"


@dataclass(frozen=True, slots=True)
class PolicyFile:
    path: str
    """As the user named it (relative paths stay relative: CI annotations need them so); "" when
    the checks come from the command line (a `check` reported as JUnit, say)."""
    checks: tuple[CheckSpec, ...]
    secrets: frozenset[str] = field(default_factory=frozenset)
    """Values taken from the environment for secret-like headers: masked in every output."""


class Unreachable(StrEnum):
    """What an unreachable target means for the run (`--unreachable`)."""

    ERROR = "error"
    """Exit 3 (when no expectation failed): the run could not say."""
    FAIL = "fail"
    """Count it as a failed expectation: exit 1."""
    SKIP = "skip"
    """Report it as skipped; it changes nothing."""


def engine_named(name: str, option: str, options: tuple[str, ...]) -> str:
    """A check's `name` naming its engine: `name [option]`, unless the check runs in Chromium
    alone (`options` == ("chromium",)), where it stays `name`, so a baseline taken before
    engines were chosen still matches. `option` and `options` are command-line names."""
    return name if options == ("chromium",) else f"{name} [{option}]"
