"""A finished run, as every format sees it."""

from __future__ import annotations

from dataclasses import dataclass

from cors_probe.batch.baseline import Change
from cors_probe.batch.results import CheckResult, Status
from cors_probe.batch.spec import PolicyFile


@dataclass(frozen=True, slots=True)
class Run:
    policy: PolicyFile
    results: list[CheckResult]
    started: str
    """ISO 8601, UTC, to the second."""
    seconds: float
    baseline: str | None = None
    """The --baseline file, when the run was compared with one."""
    changes: tuple[Change, ...] = ()
    known: frozenset[str] = frozenset()
    """Ids of checks failing in the baseline too, with nothing changed: reported, not counted."""

    def counts(self, result: CheckResult) -> bool:
        """Whether a failure fails the run (it is not a known one)."""
        return result.status is Status.FAILED and result.spec.ident not in self.known

    def changes_of(self, result: CheckResult) -> list[Change]:
        return [c for c in self.changes if c.check == result.spec.ident]
