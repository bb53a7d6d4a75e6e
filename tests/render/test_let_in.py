"""A check that expects `blocked` and got `allowed` says, in every format, which origin the
server let read what, the Access-Control-Allow-Origin that let it, and how to stop it."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest

from cors_probe.inputs.request import RequestOptions, build
from cors_probe.model import Headers
from cors_probe.render import Format, RenderOptions, writer
from cors_probe.render.words import details
from cors_probe.usecases.results import Run, Status, evaluate
from cors_probe.usecases.simulate import Answer, Answers, simulate
from cors_probe.usecases.spec import CheckSpec, PolicyFile
from tests.subjects import API

EVIL = "https://evil.example"
URL = API + "/items"
FIX = (
    "Fix: stop answering this origin: send Access-Control-Allow-Origin only for the origins on "
    "your allow-list (and Vary: Origin)."
)


def let_in(answered: str) -> Run:
    request = build(RequestOptions(URL, EVIL, "GET", ()))
    answers = Answers(
        Answer(204, Headers()), Answer(200, Headers.of(("Access-Control-Allow-Origin", answered)))
    )
    spec = CheckSpec("untrusted origins are refused", 26, request, "evil", "blocked")
    result = evaluate(spec, simulate(request, answers))
    assert (result.status, result.got, result.allowed_by) == (Status.FAILED, "allowed", answered)
    return Run(PolicyFile("cors-probe.toml", (spec,)), [result], started="", seconds=0.0)


def written(output_format: Format, run: Run) -> str:
    out = io.StringIO()
    writer(output_format)(run, out, RenderOptions(to_file=True))
    return out.getvalue()


WHY = (
    f"The server allowed origin {EVIL} to read GET {URL} "
    f"(it answered Access-Control-Allow-Origin: {EVIL})."
)


def test_text_says_who_was_let_in_and_the_fix() -> None:
    text = " ".join(written(Format.TEXT, let_in(EVIL)).split())  # rich wraps at spaces
    assert f"cors-probe.toml:26: untrusted origins are refused · evil · GET {URL}" in text
    assert "- expected blocked, got allowed" in text
    assert WHY in text
    assert FIX in text


def test_junit_failure_text_has_the_reason_and_the_fix() -> None:
    root = ET.fromstring(written(Format.JUNIT, let_in(EVIL)))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.text is not None
    assert failure.get("message") == "expected blocked, got allowed"
    assert WHY in failure.text.splitlines()
    assert FIX in failure.text.splitlines()


def test_sarif_message_has_the_reason_and_the_fix() -> None:
    (result,) = json.loads(written(Format.SARIF, let_in(EVIL)))["runs"][0]["results"]
    lines = result["message"]["text"].splitlines()
    assert WHY in lines
    assert FIX in lines


def test_github_annotation_has_the_reason_and_the_fix() -> None:
    error = written(Format.GITHUB, let_in(EVIL)).splitlines()[0]
    assert error.startswith("::error file=cors-probe.toml,line=26,")
    assert f"%0A{WHY}%0A{FIX}" in error


@pytest.mark.parametrize("output_format", [Format.TEXT, Format.JUNIT, Format.SARIF])
def test_a_wildcard_is_named_and_its_fix_is_to_stop_sending_it(output_format: Format) -> None:
    text = " ".join(written(output_format, let_in("*")).split())
    assert "(it answered Access-Control-Allow-Origin: *)" in text
    assert "Fix: stop answering `*` on this resource" in text


def test_a_check_that_holds_says_nothing_of_it() -> None:
    request = build(RequestOptions(URL, EVIL, "GET", ()))
    spec = CheckSpec("public", 3, request, "evil", "allowed")
    answers = Answers(
        Answer(204, Headers()), Answer(200, Headers.of(("Access-Control-Allow-Origin", "*")))
    )
    result = evaluate(spec, simulate(request, answers))
    assert (result.status, result.allowed_by) == (Status.PASSED, "*")
    assert not any("allowed origin" in line for line in details(result))
