"""JUnit XML: one test suite for the policy file, one test case per check (per check and
engine: a check run in several engines, or not in Chromium, is named `name [firefox]`; its
<system-out> names the engine, and the suite's `browsers` property lists every engine run).

A failed expectation is a <failure> (type: the decisive finding's code; text: the problems,
Chrome's console line and the fix); an unreachable target is an <error>; a skipped check, or a
failure the baseline already had, is <skipped>. Only elements and attributes the Jenkins JUnit
plugin's schema allows are written (GitLab, Azure Pipelines and CircleCI read the same).
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from cors_probe.explain.engines import label
from cors_probe.render.subjects import as_run
from cors_probe.render.words import details, headline, title
from cors_probe.usecases.results import CheckResult, Run, Status, Tally

if TYPE_CHECKING:
    from cors_probe.render import RenderOptions, Subject


def _seconds(ms: float) -> str:
    return f"{ms / 1000:.3f}"


def render(run: Run) -> str:
    """The whole JUnit document."""
    return "".join(chunks(run))


def chunks(run: Run) -> Iterator[str]:
    """The JUnit document in pieces, one test case at a time (for a writer to stream)."""
    tally = Tally.of(run.results)
    failures, errors = tally.failed - len(run.known), tally.unreachable
    skipped = tally.skipped + len(run.known)
    total = f"{run.seconds:.3f}"
    root = ET.Element(
        "testsuites",
        name="cors-probe",
        tests=str(tally.total),
        failures=str(failures),
        errors=str(errors),
        time=total,
    )
    path = run.policy.path
    located = {"file": path} if path else {}
    attributes = {
        "name": path or "cors-probe check",
        "tests": str(tally.total),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": str(skipped),
        "time": total,
    }
    if run.started:
        attributes["timestamp"] = run.started.removesuffix("Z")
    attributes["hostname"] = socket.gethostname()
    suite = ET.SubElement(root, "testsuite", attributes | located)
    engines = dict.fromkeys(r.spec.browser for r in run.results)
    named = {"policy": path, "baseline": run.baseline or "", "browsers": ", ".join(engines)}
    if any(named.values()):  # the schema wants at least one <property> in <properties>
        properties = ET.SubElement(suite, "properties")
        for name, value in named.items():
            if value:
                ET.SubElement(properties, "property", name=name, value=value)
    stem = path.rsplit("/", 1)[-1].removesuffix(".toml") or "cors-probe"
    if not run.results:
        ET.indent(root)
        yield '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
        yield "\n"
        return
    # The document around its test cases, with a placeholder where they go: each case is then
    # built, written and let go in turn (a run of 20,000 checks never holds its whole tree).
    ET.SubElement(suite, _CASES)
    ET.indent(root)
    skeleton = ET.tostring(root, encoding="unicode", xml_declaration=False)
    before, after = skeleton.split(f"<{_CASES} />")
    yield '<?xml version="1.0" encoding="UTF-8"?>\n' + before
    last = len(run.results) - 1
    for number, result in enumerate(run.results):
        case = _case(run, result, path, stem)
        ET.indent(case, level=2)
        case.tail = "\n    " if number < last else None  # the placeholder's tail follows
        yield ET.tostring(case, encoding="unicode")
    yield after + "\n"


_CASES = "cors-probe-test-cases"
"""The placeholder element the test cases replace (a name no JUnit schema has)."""


def _case(run: Run, result: CheckResult, path: str, stem: str) -> ET.Element:
    """One check's <testcase>."""
    case = ET.Element(
        "testcase",
        {
            "name": title(result),
            "classname": f"{stem}.{result.spec.name}",
            "time": _seconds(result.elapsed_ms),
        }
        | ({"file": path, "line": str(result.spec.line)} if path else {}),
    )
    where = f"{path}:{result.spec.line}" if path else result.spec.shape.url
    text = "\n".join([where, *details(result)])
    finding = result.problem_finding
    kind = finding.code.value if finding is not None else "expectation"
    if result.status is Status.FAILED and run.counts(result):
        ET.SubElement(case, "failure", message=headline(result), type=kind).text = text
    elif result.status is Status.FAILED:
        ET.SubElement(
            case, "skipped", message=f"known failure (in the baseline): {headline(result)}"
        )
    elif result.status is Status.UNREACHABLE:
        ET.SubElement(case, "error", message=headline(result), type="unreachable").text = text
    elif result.status is Status.SKIPPED:
        ET.SubElement(case, "skipped", message=headline(result))
    ET.SubElement(case, "system-out").text = (
        f"{where}\nengine: {label(result.spec.browser)}\n"
        f"expected {result.spec.expect}, got {result.got}\n"
        f"findings: {', '.join(result.codes) or 'none'}"
    )
    return case


def write(subject: Subject, out: TextIO, options: RenderOptions) -> None:
    """The writer of `Format.JUNIT` (see cors_probe.render)."""
    del options  # cleaned by render.writer, secrets masked by value
    for chunk in chunks(as_run(subject)):
        out.write(chunk)
