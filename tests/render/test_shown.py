"""A run is written from the results its format reads, cleaned, the others blanked
(`render.shown`): every format's output is byte for byte the one of the whole run cleaned, and no
secret nor control byte of a result it does not read reaches it (tables of runs)."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest

from cors_probe.inputs.request import RequestOptions, build
from cors_probe.model import Headers, Report, WireRequest, WireResponse
from cors_probe.render import Format, RenderOptions, _writer, writer
from cors_probe.render.scrub import clean, secrets_in
from cors_probe.render.shown import blank, clean_run, reads
from cors_probe.render.text_run import MAX_DETAILS, MAX_ROWS, summary_reads
from cors_probe.usecases import check
from cors_probe.usecases.baseline import Change, ChangeKind
from cors_probe.usecases.results import CheckResult, Run, Status, evaluate, failures_first
from cors_probe.usecases.spec import CheckSpec, PolicyFile
from tests.subjects import API, PAGE

MARK = "SeCrEt-4711"
POLICY_SECRET = "policy-secret-0815"
HOSTILE = "\x1b[2J\x1b[31m✔\x9b31m\x07"
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _send(request: WireRequest) -> WireResponse:
    """A server echoing the request's headers and URL, with control bytes in its answer."""
    echoed = tuple((f"X-Echo-{n}", v) for n, v in request.headers)
    headers = Headers.of(("X-Evil", HOSTILE), ("X-Echo-Url", request.url), *echoed)
    return WireResponse(500, headers, reason=f"Oops {HOSTILE} {MARK} {POLICY_SECRET}")


@pytest.fixture(scope="module")
def report() -> Report:
    shape = build(
        RequestOptions(
            f"{API}/start?api_key={MARK}",
            PAGE,
            "GET",
            (f"Authorization: Bearer {MARK}", f"X-Token: {POLICY_SECRET}"),
            credentials=True,
        )
    )
    return check.run(shape, _send)


STATUSES = (Status.FAILED, Status.UNREACHABLE, Status.SKIPPED, Status.PASSED)


def _run(report: Report, counts: dict[Status, int], baseline: bool) -> Run:
    """A run of `counts` checks of each status, interleaved, each with its own name and URL
    holding a secret and control bytes."""
    plan = [s for s in STATUSES for _ in range(counts.get(s, 0))]
    plan = plan[::2] + plan[1::2]  # not already in failures-first order
    results = []
    for number, status in enumerate(plan):
        shape = replace(report.shape, url=f"{API}/c{number}?api_key={MARK}{number}&x=\x1b[0m")
        spec = CheckSpec(f"check {number} {HOSTILE}", number + 1, shape, "app\x07", "allowed")
        result = evaluate(spec, report)
        problems = result.problems or (f"problem of {number} {MARK} {HOSTILE}",)
        results.append(replace(result, status=status, problems=problems))
    secrets = frozenset({POLICY_SECRET})
    policy = PolicyFile("policy\x1b.toml", tuple(r.spec for r in results), secrets)
    run = Run(policy, results, "2026-01-01T00:00:00Z", 1.5)
    if not baseline:
        return run
    failing = [r for r in results if r.status is Status.FAILED]
    known = frozenset(r.spec.ident for r in failing[: len(failing) // 2])
    changes = (
        *(
            Change(r.spec.ident, ChangeKind.NOW_FAILING, f"was passing {HOSTILE}", True)
            for r in failing[len(failing) // 2 :][:7]
        ),
        Change("gone | app | GET x", ChangeKind.CHECK_REMOVED, "removed", False),
    )
    return replace(run, baseline="base\x07.json", changes=changes, known=known)


RUNS = {
    "all passed": ({Status.PASSED: 250}, False),
    "a few of each": (
        {Status.FAILED: 3, Status.UNREACHABLE: 2, Status.SKIPPED: 2, Status.PASSED: 150},
        False,
    ),
    "more failures than detailed": ({Status.FAILED: 60, Status.PASSED: 120}, False),
    "more failures than rows": (
        {Status.FAILED: 130, Status.UNREACHABLE: 5, Status.PASSED: 9},
        False,
    ),
    "fewer checks than rows": ({Status.FAILED: 2, Status.PASSED: 5}, False),
    "no checks": ({}, False),
    "with a baseline": ({Status.FAILED: 20, Status.UNREACHABLE: 3, Status.PASSED: 150}, True),
}


def _written(output_format: Format, subject: Run, options: RenderOptions, *, whole: bool) -> str:
    """The document as written now, or (`whole`) from the whole run cleaned, as it was."""
    out = io.StringIO()
    if whole:
        secrets = options.secrets | secrets_in(subject)
        controls = output_format in (Format.TEXT, Format.JUNIT, Format.GITHUB)
        _writer(output_format)(clean(subject, secrets, controls=controls), out, options)
    else:
        writer(output_format)(subject, out, options)
    return out.getvalue()


@pytest.mark.parametrize("name", list(RUNS))
@pytest.mark.parametrize("output_format", list(Format))
def test_a_format_writes_the_same_from_the_results_it_reads(
    report: Report, output_format: Format, name: str
) -> None:
    counts, baseline = RUNS[name]
    run = _run(report, counts, baseline)
    options = RenderOptions(to_file=True, secrets=run.policy.secrets)
    written = _written(output_format, run, options, whole=False)
    assert written == _written(output_format, run, options, whole=True)
    assert MARK not in written
    assert POLICY_SECRET not in written
    assert not RAW_CONTROL.search(written) or output_format in (Format.JSON, Format.SARIF)


@pytest.mark.parametrize("name", list(RUNS))
def test_the_text_summary_reads_its_rows_alone(report: Report, name: str) -> None:
    counts, baseline = RUNS[name]
    run = _run(report, counts, baseline)
    read = summary_reads(run)
    if baseline:
        assert read is None
        return
    assert read is not None
    shown = failures_first(run.results)[:MAX_ROWS]
    assert [run.results[i] for i in read] == shown
    assert MAX_DETAILS < MAX_ROWS  # the failures detailed are among the rows


@pytest.mark.parametrize("output_format", list(Format))
def test_a_result_not_read_is_a_blank_of_its_status(report: Report, output_format: Format) -> None:
    run = _run(report, {Status.FAILED: 3, Status.SKIPPED: 1, Status.PASSED: 140}, False)
    cleaned = clean_run(run, {MARK}, controls=True, read=reads(output_format))
    assert [r.status for r in cleaned.results] == [r.status for r in run.results]
    assert cleaned.policy.checks == ()
    assert cleaned.policy.secrets == frozenset()
    read = reads(output_format)(run)
    for index, (old, new) in enumerate(zip(run.results, cleaned.results, strict=True)):
        if read is not None and index not in read:
            assert new is blank(old.status)
        else:
            assert new == clean(old, {MARK}, controls=True)
            assert new.spec.name == old.spec.name.replace(
                HOSTILE, "\\x1b[2J\\x1b[31m✔\\x9b31m\\x07"
            )


def test_a_blank_holds_nothing_but_its_status() -> None:
    for status in Status:
        result: CheckResult = blank(status)
        assert result.status is status
        assert (result.spec.name, result.spec.shape.url, result.problems) == ("", "", ())
        assert (result.findings, result.decisive, result.codes) == ((), None, ())


SHARED = ("a\x07", "b")
WALKS = {
    "a string": "x\x1b",
    "a tuple met twice": (SHARED, SHARED, [SHARED]),
    "a frozenset": frozenset({"a\x07", "b"}),
    "a dict of lists": {"k\x07": ["v\x07", 1, None, b"\x07"], "n": 2.5},
    "dataclasses sharing a part": [
        Change("id\x07", ChangeKind.NEW_CHECK, "d", False),
        Change("id\x07", ChangeKind.NEW_CHECK, "d", False),
    ],
    "nothing to change": (("a", "b"), {"c": ["d"]}),
}


@pytest.mark.parametrize("name", list(WALKS))
def test_a_walk_with_a_memo_gives_what_a_walk_without_gives(name: str) -> None:
    from cors_probe.render.scrub import map_strings, visible

    value = WALKS[name]
    with_memo = map_strings(value, visible, {})
    assert with_memo == map_strings(value, visible)
    if name == "nothing to change":
        assert with_memo is value
