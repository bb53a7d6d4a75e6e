"""One JSON document for the run: every check's expectation, status and full `check` report.

It is also what `--baseline` reads back, so `checks[].id`, `got`, `status` and `findings` are
part of the schema. Each check's entry is made as the check finishes (`entry`), spooled, and the
document written around them (`write`), so a long run never holds every report at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from cors_probe import __version__
from cors_probe.batch.baseline import RUN_SCHEMA
from cors_probe.batch.results import CheckResult, Tally
from cors_probe.batch.run import Run
from cors_probe.batch.secrets import scrub
from cors_probe.model import Report
from cors_probe.render.json import to_dict

CHECKS = "\x00checks\x00"


def entry(
    path: str,
    result: CheckResult,
    report: Report,
    *,
    secrets: frozenset[str],
    show_secrets: bool = False,
) -> str:
    """One check as an indented JSON object, secrets scrubbed."""
    spec = result.spec
    document = {
        "id": spec.ident,
        "name": spec.name,
        "file": path,
        "line": spec.line,
        "origin_name": spec.origin_name,
        "origin": spec.shape.origin.serialise(),
        "method": spec.shape.method,
        "url": spec.shape.url,
        "credentials": spec.shape.credentials,
        "expect": spec.expect,
        "forbid": list(spec.forbid),
        "require": list(spec.require),
        "got": result.got,
        "status": result.status.value,
        "problems": list(result.problems),
        "decisive": result.decisive.code.value if result.decisive is not None else None,
        "findings": list(result.codes),
        "report": to_dict(report, show_secrets=show_secrets),
    }
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return text if show_secrets else scrub(text, secrets)


def _head(run: Run) -> dict[str, Any]:
    tally = Tally.of(run.results)
    document: dict[str, Any] = {
        "schema": RUN_SCHEMA,
        "tool": {"name": "cors-probe", "version": __version__},
        "policy": run.policy.path,
        "started": run.started,
        "seconds": round(run.seconds, 3),
        "summary": {
            "total": tally.total,
            "passed": tally.passed,
            "failed": tally.failed,
            "unreachable": tally.unreachable,
            "skipped": tally.skipped,
            "known_failures": len(run.known),
        },
        "checks": CHECKS,
        "baseline": None,
    }
    if run.baseline is not None:
        document["baseline"] = {
            "file": run.baseline,
            "known_failures": sorted(run.known),
            "changes": [
                {
                    "id": c.check,
                    "kind": c.kind.value,
                    "detail": c.detail,
                    "regression": c.regression,
                }
                for c in run.changes
            ],
        }
    return document


def write(run: Run, entries: Iterable[str], out: TextIO, *, show_secrets: bool = False) -> None:
    """The document, with `entries` (each check's, in file order) as `checks`."""
    head = json.dumps(_head(run), indent=2, ensure_ascii=False)
    if not show_secrets:
        head = scrub(head, run.policy.secrets)
    before, after = head.split(json.dumps(CHECKS))
    out.write(before + "[")
    for number, text in enumerate(entries):
        out.write(("," if number else "") + "\n    " + text.replace("\n", "\n    "))
    out.write("\n  ]" + after + "\n")
