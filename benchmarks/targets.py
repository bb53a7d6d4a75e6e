"""Targets as data: a measured ratio against its limit, judged PASS or FAIL, and the summary line.

Pure functions over figures already measured, so that the judging is tested on its own
(tests/test_benchmarks.py) and every benchmark script prints the same words.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

NOISE = 0.9
"""Two medians of throughput are "the same within noise" when the later is at least this share
of the earlier: on a shared 2-core machine, medians of a few runs move by up to ~10 % between
rounds."""


@dataclass(frozen=True)
class Target:
    """One target of the issue: `value` (a ratio, or milliseconds) must be at most `limit` when
    `at_most`, else at least `limit`. `note` is printed beside the verdict (e.g. the CPU ratio)."""

    name: str
    value: float
    limit: float
    at_most: bool
    note: str = ""

    @property
    def met(self) -> bool:
        """Whether the value is on the right side of the limit (the limit itself passes)."""
        return self.value <= self.limit if self.at_most else self.value >= self.limit

    @property
    def verdict(self) -> str:
        return "PASS" if self.met else "FAIL"

    @property
    def wanted(self) -> str:
        """The target as text: '<= 1.5' or '>= 0.3'."""
        return f"{'<=' if self.at_most else '>='} {self.limit:g}"

    def line(self, width: int = 52) -> str:
        """One printed line: name, value, target, verdict and note."""
        note = f"  {self.note}" if self.note else ""
        return f"{self.name:<{width}} {self.value:>7.2f}  {self.wanted:<8} {self.verdict}{note}"

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": self.value,
            "target": self.wanted,
            "met": self.met,
            "note": self.note,
        }


def summary(targets: Iterable[Target]) -> str:
    """The final line: 'N of M targets met'."""
    judged = list(targets)
    return f"{sum(t.met for t in judged)} of {len(judged)} targets met"


def rate_ratio(subject_seconds: float, baseline_seconds: float) -> float:
    """Throughput of the subject as a multiple of the baseline's, for the same amount of work:
    the baseline's seconds over the subject's (2.0: the subject does twice the work per second).
    Used for wall-clock seconds and for CPU seconds alike. Raises ZeroDivisionError on 0 s."""
    return baseline_seconds / subject_seconds


def step_ratios(rates: Sequence[float]) -> list[float]:
    """For rates measured at growing concurrency (--jobs 1, 4, 16, 64), each rate over the one
    before it: one entry per step (len(rates) - 1). Throughput "does not fall" when every entry is
    at least NOISE, that is when min(step_ratios(rates)) >= NOISE."""
    return [later / earlier for earlier, later in itertools.pairwise(rates)]


def median(samples: Iterable[float]) -> float:
    """The median (statistics.median); StatisticsError when there are no samples."""
    return statistics.median(list(samples))
