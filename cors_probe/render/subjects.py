"""Every subject seen as a run of checks, for the formats made for runs (JUnit, SARIF, GitHub)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cors_probe.usecases.demo import Tour
from cors_probe.usecases.results import Run, run_of

if TYPE_CHECKING:
    from cors_probe.render import Subject


def as_run(subject: Subject) -> Run:
    """A run as it is; the demo's tour as one check per stop; a report as one check, `check`."""
    if isinstance(subject, Run):
        return subject
    if isinstance(subject, Tour):
        return run_of([(stop.path, stop.report) for stop in subject.stops])
    return run_of([("check", subject)])
