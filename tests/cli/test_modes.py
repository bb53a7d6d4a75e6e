"""`--mode` and `--redirect`, as a user runs them: the installed command against a real server on
loopback (the browser referee's `modes` scenarios hold the engines' side of the same cases)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.servers import Reply, ScriptedServer

Run = Callable[..., CliResult]
PAGE = "http://localhost:3000"
JSON_CT = ("Content-Type", "application/json")
ECHO = ("Access-Control-Allow-Origin", PAGE)
CORP = "Cross-Origin-Resource-Policy"

# (id, options, the answer to /r, exit code, decisive, response type, requests the server got)
CASES: list[tuple[str, list[str], Reply, int, str | None, str | None, list[str]]] = [
    ("no-cors-opaque", ["--mode", "no-cors"], Reply(404, [JSON_CT]), 0, None, "opaque", ["GET"]),
    (
        "no-cors-corp-same-origin",
        ["--mode", "no-cors"],
        Reply(200, [(CORP, "same-origin")]),
        1,
        "corp-blocked",
        None,
        ["GET"],
    ),
    (
        "no-cors-corp-cross-origin",
        ["--mode", "no-cors"],
        Reply(200, [(CORP, "cross-origin")]),
        0,
        None,
        "opaque",
        ["GET"],
    ),
    ("cors-ignores-corp", [], Reply(200, [ECHO, (CORP, "same-origin")]), 0, None, "cors", ["GET"]),
    (
        "no-cors-put-throws",
        ["--mode", "no-cors", "-X", "PUT"],
        Reply(200),
        1,
        "no-cors-method",
        None,
        [],
    ),
    (
        "no-cors-manual",
        ["--mode", "no-cors", "--redirect", "manual"],
        Reply(200),
        1,
        "no-cors-redirect-mode",
        None,
        [],
    ),
    (
        "same-origin-mode",
        ["--mode", "same-origin"],
        Reply(200, [ECHO]),
        1,
        "same-origin-mode",
        None,
        [],
    ),
    (
        "redirect-error",
        ["--redirect", "error"],
        Reply(302, [ECHO, ("Location", "/next")]),
        1,
        "redirect-mode-error",
        None,
        ["GET"],
    ),
    (
        "redirect-manual",
        ["--redirect", "manual"],
        Reply(307, [ECHO, ("Location", "/next")]),
        0,
        None,
        "opaqueredirect",
        ["GET"],
    ),
    (
        "redirect-manual-cors-check",
        ["--redirect", "manual"],
        Reply(302, [("Location", "/next")]),
        1,
        "acao-missing",
        None,
        ["GET"],
    ),
]


@pytest.mark.parametrize(
    ("options", "reply", "exit_code", "decisive", "response_type", "methods"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_modes_from_the_command_line(
    options: list[str],
    reply: Reply,
    exit_code: int,
    decisive: str | None,
    response_type: str | None,
    methods: list[str],
    server: ScriptedServer,
    run_cli: Run,
) -> None:
    server.route("/r", reply)
    server.route("/next", Reply(200, [ECHO]))
    result = run_cli(
        "check", "--no-cache-probe", server.url("/r"), "-o", PAGE, *options, "--yes", "-f", "json"
    )
    result.assert_no_traceback()
    assert result.returncode == exit_code, result.stderr
    document = result.json()
    assert document["decisive"] == decisive
    assert document["actual"]["response_type"] == response_type
    assert [r.method for r in server.received] == methods
    mode = options[options.index("--mode") + 1] if "--mode" in options else "cors"
    assert document["request"]["mode"] == mode
    if response_type in ("opaque", "opaqueredirect"):
        assert document["actual"]["status"] == 0
        assert document["actual"]["readable_headers"] == []
    if methods and mode == "no-cors":
        assert server.received[0].header("Sec-Fetch-Mode") == "no-cors"
        assert server.received[0].header("Origin") is None


def test_a_no_cors_header_is_dropped_and_the_text_says_opaque(
    server: ScriptedServer, run_cli: Run
) -> None:
    server.route("/r", Reply(200, [ECHO, ("X-Total", "3")]))
    url = server.url("/r")
    result = run_cli(
        "check", "--no-cache-probe", url, "-o", PAGE, "--mode", "no-cors", "-H", "X-Api-Key: k"
    )
    result.assert_no_traceback()
    assert result.returncode == 0, result.stderr
    assert server.received[0].header("X-Api-Key") is None
    out = " ".join(result.stdout.split())
    assert "mode: no-cors, redirect: follow" in out
    assert "with an opaque response (status 0, no header, no body readable)" in out
    assert "X-Api-Key is silently dropped in no-cors mode" in out
    assert "can read the response" not in out


def test_corp_is_told_as_corp_not_cors(server: ScriptedServer, run_cli: Run) -> None:
    server.route("/r", Reply(200, [(CORP, "same-site")]))
    result = run_cli(
        "check",
        "--no-cache-probe",
        server.url("/r"),
        "-o",
        "https://app.example",
        "--mode",
        "no-cors",
        "-b",
        "all",
    )
    result.assert_no_traceback()
    assert result.returncode == 1
    out = " ".join(result.stdout.split())
    assert "Cross-Origin-Resource-Policy: same-site blocks this response" in out
    assert "net::ERR_BLOCKED_BY_RESPONSE.NotSameSite" in out
    assert "No 'Access-Control-Allow-Origin' header" not in out


@pytest.mark.parametrize(
    ("option", "value"), [("--mode", "nocors"), ("--redirect", "follw"), ("--mode", "")]
)
def test_a_bad_value_is_one_line_and_exit_2(
    option: str, value: str, server: ScriptedServer, run_cli: Run
) -> None:
    result = run_cli("check", "--no-cache-probe", server.url("/r"), option, value)
    result.assert_no_traceback()
    assert result.returncode == 2
    assert result.stderr.startswith("cors-probe: error: ")
    assert result.stderr.count("\n") == 1
    assert option in result.stderr
    assert server.received == []


def test_simulate_takes_the_modes_too(run_cli: Run) -> None:
    result = run_cli(
        "simulate",
        "https://api.example/x",
        "-o",
        "https://app.example",
        "--mode",
        "no-cors",
        "--response-header",
        f"{CORP}: same-origin",
        "-f",
        "json",
    )
    result.assert_no_traceback()
    assert result.returncode == 1
    document = result.json()
    assert document["decisive"] == "corp-blocked"
    assert document["request"]["mode"] == "no-cors"


def test_a_policy_file_runs_checks_in_no_cors_mode(
    server: ScriptedServer, run_cli: Run, tmp_path: Path
) -> None:
    server.route("/img", Reply(200, [JSON_CT]))
    server.route("/private", Reply(200, [(CORP, "same-origin")]))
    (tmp_path / "cors-probe.toml").write_text(
        'base_url = "${BASE}"\n'
        '[defaults]\norigin = "https://app.example"\nmode = "no-cors"\n'
        '[[check]]\npath = "/img"\nexpect = "allowed"\nrequire = ["opaque-response"]\n'
        '[[check]]\npath = "/private"\nexpect = "blocked"\nrequire = ["corp-blocked"]\n',
        encoding="utf-8",
    )
    result = run_cli("run", "-f", "json", env={"BASE": server.base_url}, cwd=tmp_path)
    result.assert_no_traceback()
    assert result.returncode == 0, result.stdout + result.stderr
    checks = result.json()["checks"]
    assert [(c["got"], c["status"]) for c in checks] == [
        ("allowed", "passed"),
        ("blocked", "passed"),
    ]
    assert {r.header("Sec-Fetch-Mode") for r in server.received} == {"no-cors"}
