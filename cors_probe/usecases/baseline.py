"""`--baseline FILE`: what changed since a previous run's JSON document.

For gradual adoption: a failure already in the baseline is known and does not fail the run; a
failure counts when something changed (the check is new, its verdict flipped, a finding appeared,
or it passed before). Changes in passing checks are reported for information.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

from cors_probe.errors import UsageError
from cors_probe.usecases.results import CheckResult, Status

RUN_SCHEMA = "cors-probe/run/1"


class ChangeKind(StrEnum):
    NEW_CHECK = "new-check"
    VERDICT = "verdict-flip"
    NEW_FINDING = "new-finding"
    FINDING_GONE = "finding-gone"
    NOW_FAILING = "now-failing"
    NOW_PASSING = "now-passing"
    CHECK_REMOVED = "check-removed"


@dataclass(frozen=True, slots=True)
class Prior:
    got: str
    status: str
    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Change:
    check: str
    """The check's id (CheckSpec.ident)."""
    kind: ChangeKind
    detail: str
    regression: bool
    """True when this change makes the check fail now."""


def parse_baseline(path: str, raw: bytes) -> dict[str, Prior]:
    """The previous run's checks by id, from the bytes of the file at `path` (read by
    `inputs.baseline`); a document that is not a run's JSON is a usage error."""
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise UsageError(f"--baseline {path!r}: not a JSON file ({error})") from None
    if not isinstance(document, dict) or document.get("schema") != RUN_SCHEMA:
        raise UsageError(
            f"--baseline {path!r}: not a result of `cors-probe run --format json` "
            f"(expected schema {RUN_SCHEMA!r})"
        )
    priors: dict[str, Prior] = {}
    try:
        for check in document["checks"]:
            priors[check["id"]] = Prior(check["got"], check["status"], tuple(check["findings"]))
    except (KeyError, TypeError) as error:
        raise UsageError(f"--baseline {path!r}: a check lacks {error}") from None
    return priors


def compare(results: list[CheckResult], priors: dict[str, Prior]) -> list[Change]:
    changes: list[Change] = []
    for result in results:
        ident, failing = result.spec.ident, result.status is Status.FAILED
        prior = priors.get(ident)
        if prior is None:
            changes.append(Change(ident, ChangeKind.NEW_CHECK, result.status.value, failing))
            continue
        found: list[Change] = []
        if result.got != prior.got:
            found.append(Change(ident, ChangeKind.VERDICT, f"{prior.got} -> {result.got}", failing))
        found += [
            Change(ident, ChangeKind.NEW_FINDING, code, failing)
            for code in result.codes
            if code not in prior.codes
        ]
        found += [
            Change(ident, ChangeKind.FINDING_GONE, code, False)
            for code in prior.codes
            if code not in result.codes
        ]
        if failing and prior.status != Status.FAILED:
            found.append(Change(ident, ChangeKind.NOW_FAILING, "; ".join(result.problems), True))
        elif not failing and prior.status == Status.FAILED:
            found.append(Change(ident, ChangeKind.NOW_PASSING, result.status.value, False))
        changes += found
    current = {r.spec.ident for r in results}
    changes += [
        Change(ident, ChangeKind.CHECK_REMOVED, "not in this run", False)
        for ident in priors
        if ident not in current
    ]
    return changes


def known_failures(results: list[CheckResult], changes: list[Change]) -> frozenset[str]:
    """Failing checks with no regression since the baseline: reported, but not counted."""
    regressed = {c.check for c in changes if c.regression}
    return frozenset(
        r.spec.ident for r in results if r.status is Status.FAILED and r.spec.ident not in regressed
    )
