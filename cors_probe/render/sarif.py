"""SARIF 2.1.0 for code-scanning dashboards: one result per failed check, located at the check's
line in the policy file, its rule the finding that decided it, its engine in
`properties.browser` (`chrome`, `firefox`, `safari`; the message names it too when the check
runs in several engines or not in Chromium, as the check's name does).

With `--baseline`, results carry `baselineState`: `new` for a check new since the baseline,
`updated` for one that changed, `unchanged` for a known failure.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, TextIO

from cors_probe import __version__
from cors_probe.explain.catalogue import explain
from cors_probe.render.json import dumps
from cors_probe.render.subjects import as_run
from cors_probe.render.words import details, headline, title
from cors_probe.usecases.results import CheckResult, Run, Status

if TYPE_CHECKING:
    from cors_probe.render import RenderOptions, Subject

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
EXPECTATION_RULE = "expectation-not-met"
UNREACHABLE_RULE = "target-unreachable"


def _rule_for(result: CheckResult) -> tuple[str, dict[str, Any]]:
    if result.status is Status.UNREACHABLE:
        return UNREACHABLE_RULE, {
            "id": UNREACHABLE_RULE,
            "shortDescription": {"text": "The server could not be reached"},
            "fullDescription": {"text": "DNS, a refused connection, TLS or a time-out."},
            "defaultConfiguration": {"level": "error"},
        }
    finding = result.problem_finding
    if finding is None:
        return EXPECTATION_RULE, {
            "id": EXPECTATION_RULE,
            "shortDescription": {"text": "A CORS expectation of the policy file does not hold"},
            "fullDescription": {"text": "A required finding is missing from the check."},
            "defaultConfiguration": {"level": "error"},
        }
    words = explain(finding)
    return finding.code.value, {
        "id": finding.code.value,
        "shortDescription": {"text": words.title},
        "fullDescription": {"text": words.message},
        "help": {"text": words.fix},
        "defaultConfiguration": {"level": "error"},
    }


def _state(run: Run, result: CheckResult) -> str | None:
    if run.baseline is None:
        return None
    if not run.counts(result) and result.status is Status.FAILED:
        return "unchanged"
    kinds = {c.kind.value for c in run.changes_of(result)}
    return "new" if "new-check" in kinds else "updated"


def _location(run: Run, result: CheckResult) -> dict[str, Any]:
    """The check's line in the policy file; for a check from the command line, its URL."""
    if not run.policy.path:
        return {"artifactLocation": {"uri": result.spec.shape.url}}
    return {
        "artifactLocation": {"uri": run.policy.path},
        "region": {"startLine": result.spec.line},
    }


def to_document(run: Run) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for result in run.results:
        if result.status not in (Status.FAILED, Status.UNREACHABLE):
            continue
        rule_id, rule = _rule_for(result)
        rules.setdefault(rule_id, rule)
        entry: dict[str, Any] = {
            "ruleId": rule_id,
            "level": "error"
            if run.counts(result) or result.status is Status.UNREACHABLE
            else "note",
            "message": {
                "text": f"{title(result)}: {headline(result)}\n" + "\n".join(details(result))
            },
            "locations": [{"physicalLocation": _location(run, result)}],
            "partialFingerprints": {
                "corsProbeCheck/v1": hashlib.sha256(result.spec.ident.encode()).hexdigest()
            },
            "properties": {"browser": result.spec.browser},
        }
        state = _state(run, result)
        if state is not None:
            entry["baselineState"] = state
        results.append(entry)
    ordered = sorted(rules)
    for entry in results:
        entry["ruleIndex"] = ordered.index(entry["ruleId"])
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cors-probe",
                        "version": __version__,
                        "rules": [rules[r] for r in ordered],
                    }
                },
                "invocations": [
                    {"executionSuccessful": True}
                    | ({"startTimeUtc": run.started} if run.started else {})
                ],
                "results": results,
            }
        ],
    }


def render(run: Run) -> str:
    return dumps(to_document(run)) + "\n"


def write(subject: Subject, out: TextIO, options: RenderOptions) -> None:
    """The writer of `Format.SARIF` (see cors_probe.render)."""
    del options  # cleaned by render.writer, secrets masked by value
    out.write(render(as_run(subject)))
