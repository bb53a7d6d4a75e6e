"""`cors-probe check --format junit|sarif|github` against a scripted server: the same documents
`run` writes (JUnit validated against the CI schema, SARIF against SARIF 2.1.0, GitHub workflow
commands escaped), with the check as one test case that expects `allowed`."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from cors_probe.render import Format
from tests.conftest import CliResult
from tests.documents import check_document
from tests.servers import Reply, ScriptedServer

PAGE = "https://app.example"
ALLOWED = Reply(200, [("Access-Control-Allow-Origin", PAGE), ("Vary", "Origin")])
BLOCKED = Reply(200, [])


@pytest.mark.parametrize(
    ("output_format", "reply", "exit_code"),
    [
        (Format.JUNIT, BLOCKED, 1),
        (Format.SARIF, ALLOWED, 0),
        (Format.GITHUB, BLOCKED, 1),
    ],
    ids=["junit-blocked", "sarif-allowed", "github-blocked"],
)
def test_check_writes_the_run_formats(
    output_format: Format,
    reply: Reply,
    exit_code: int,
    server: ScriptedServer,
    run_cli: Callable[..., CliResult],
) -> None:
    server.route("/p", get=reply)
    url = server.url("/p")
    result = run_cli("check", url, "--origin", PAGE, "--format", output_format.value)
    result.assert_no_traceback()
    assert result.returncode == exit_code, result.stderr
    check_document(output_format, result.stdout)
    match output_format:
        case Format.JUNIT:
            (suite,) = ET.fromstring(result.stdout).findall("testsuite")
            (case,) = suite.findall("testcase")
            failure = case.find("failure")
            assert failure is not None
            assert (suite.get("tests"), suite.get("failures")) == ("1", "1")
            assert failure.get("type") == "acao-missing"
            assert failure.get("message") == "expected allowed, got blocked (acao-missing)"
        case Format.SARIF:
            (run,) = json.loads(result.stdout)["runs"]
            assert run["results"] == []
            assert run["invocations"][0]["executionSuccessful"] is True
        case Format.GITHUB:
            # `:` and `,` are escaped in the title (a property), not in the message
            error, notice = result.stdout.splitlines()
            escaped = url.replace(":", "%3A")
            assert error.startswith(
                f"::error title=CORS expectation failed%3A check · https%3A//app.example · GET "
                f"{escaped}::https://app.example GET {url}%0A- expected allowed, got blocked "
                "(acao-missing)%0Aacao-missing: No Access-Control-Allow-Origin header%0AChrome: "
            )
            assert "\r" not in error
            assert notice == "::notice title=cors-probe::1 check: 0 passed, 1 failed"
