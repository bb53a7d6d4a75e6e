"""The start of a failing response's body is shown (where frameworks say why), capped, with
control characters escaped and the request's secrets masked: the CLI against a real server."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.conftest import CliResult
from tests.servers import Reply, ScriptedServer

Run = Callable[..., CliResult]
PAGE = "http://localhost:3000"
TOKEN = "s3cr3t-token-0123456789"
PREFLIGHT_OK = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Headers", "authorization"),
]


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_the_body_of_a_500_is_quoted_masked_and_escaped(
    output_format: str, server: ScriptedServer, run_cli: Run
) -> None:
    body = f'{{"error": "token Bearer {TOKEN} expired"}}\x1b[2J'.encode() + b"y" * 5000
    server.route(
        "/r",
        options=Reply(204, PREFLIGHT_OK),
        get=Reply(500, [("Content-Type", "application/json")], body=body),
    )
    result = run_cli(
        "check",
        server.url("/r"),
        "-o",
        PAGE,
        "-H",
        f"Authorization: Bearer {TOKEN}",
        "-f",
        output_format,
    )
    result.assert_no_traceback()
    assert result.returncode == 1, result.stderr
    assert TOKEN not in result.stdout
    assert "\x1b" not in result.stdout
    if output_format == "json":
        (finding,) = [
            f for f in result.json()["findings"] if f["code"] == "error-status-without-cors"
        ]
        quoted = finding["detail"]["body"]
        assert quoted.startswith('{"error": "token Bearer ****')
        assert "\\x1b[2J" in quoted
        assert quoted.endswith("…")
        assert len(quoted) <= 201
        assert finding["detail"]["diagnosis"] == "server-error"
        assert f"The response body says: '{quoted}'." in finding["message"]
    else:
        assert 'The response body says: \'{"error": "token Bearer ****' in result.stdout


def test_a_preflight_refused_by_authentication_is_told_so(
    server: ScriptedServer, run_cli: Run
) -> None:
    server.route(
        "/r",
        options=Reply(401, [("WWW-Authenticate", 'Bearer realm="api"')], body=b"Unauthorized"),
    )
    result = run_cli("check", server.url("/r"), "-o", PAGE, "-X", "DELETE", "-f", "json")
    result.assert_no_traceback()
    finding = next(f for f in result.json()["findings"] if f["stage"] == "preflight")
    assert finding["detail"]["diagnosis"] == "auth-before-cors"
    assert finding["detail"]["body"] == "Unauthorized"
    assert "Authentication answered the preflight (401)" in finding["fix"]
    assert finding["header_fixes"] == []


@pytest.mark.parametrize(
    ("options", "diagnosis", "says"),
    [
        (Reply(404, body=b"Not Found"), "options-not-routed", "OPTIONS is not routed"),
        (Reply(405, [("Allow", "GET")]), "options-not-routed", "OPTIONS is not routed"),
        (
            Reply(204, [("Access-Control-Allow-Methods", "DELETE")]),
            "origin-not-allowed",
            "OPTIONS is routed: a CORS layer answered",
        ),
        (
            Reply(200, [("Allow", "GET, DELETE, OPTIONS")]),
            "no-cors-answer",
            "no CORS header at all",
        ),
    ],
)
def test_routing_is_told_from_the_answer(
    options: Reply, diagnosis: str, says: str, server: ScriptedServer, run_cli: Run
) -> None:
    server.route("/r", options=options)
    result = run_cli("check", server.url("/r"), "-o", PAGE, "-X", "DELETE", "-f", "json")
    result.assert_no_traceback()
    finding = next(f for f in result.json()["findings"] if f["stage"] == "preflight")
    assert finding["detail"]["diagnosis"] == diagnosis
    assert says in finding["fix"]


def test_a_refusal_in_front_of_cors_gets_no_header_fix(
    server: ScriptedServer, run_cli: Run
) -> None:
    """A 403 to a `Sec-Fetch-Site: cross-site` request (a Fetch Metadata policy): the CORS layer
    never saw it, so no header it could send is offered as the fix (measured in Chromium by
    tests/browser/test_fixes_referee.py: the guard's 403 stays)."""
    server.route("/r", get=Reply(403, [("Content-Type", "text/plain")], body=b"refused"))
    result = run_cli("check", server.url("/r"), "-o", PAGE, "-f", "json")
    result.assert_no_traceback()
    findings = {f["code"]: f for f in result.json()["findings"]}
    assert "fetch-metadata-refusal" in findings
    missing = findings["acao-missing"]
    assert missing["detail"]["refused_before_cors"] == "True"
    assert missing["header_fixes"] == []
    assert findings["error-status-without-cors"]["header_fixes"] == []
    assert "Fetch Metadata policy" in missing["fix"]


BODY_SECRETS = [
    # (the body's secret part, the secret values it must never show, what stays readable)
    ('"Authorization": "Bearer eyJhbGciOi.payload.SIG"', ["eyJhbGciOi.payload.SIG"], "Bearer"),
    ('"cookie": "sid=COOKIE_IN_BODY"', ["COOKIE_IN_BODY"], '"cookie"'),
    ('"api_key": "sk_live_ABCDEF123456"', ["sk_live_ABCDEF123456"], '"api_key"'),
    ("access_token=tok_9876543210&state=ok", ["tok_9876543210"], "state=ok"),
    ("X-Api-Key: k3y-0123456789", ["k3y-0123456789"], "X-Api-Key"),
    ("Basic dXNlcjpwYXNzd29yZA==", ["dXNlcjpwYXNzd29yZA=="], "Basic"),
]


@pytest.mark.parametrize(("secret", "hidden", "kept"), BODY_SECRETS)
@pytest.mark.parametrize("output_format", ["text", "json"])
def test_secrets_the_server_quotes_in_its_body_are_masked(
    output_format: str,
    secret: str,
    hidden: list[str],
    kept: str,
    server: ScriptedServer,
    run_cli: Run,
) -> None:
    """A framework's error page echoing the request (headers, cookies, keys the user never typed
    on this command line) is quoted masked; `--show-secrets` shows it."""
    body = f'{{"detail": "Disallowed CORS headers", "request": {{{secret}}}}}'.encode()
    server.route("/r", options=Reply(400, [("Content-Type", "text/plain")], body=body))
    args = ["check", "--no-cache-probe", server.url("/r"), "-o", PAGE, "-X", "PUT"]
    result = run_cli(*args, "-f", output_format)
    result.assert_no_traceback()
    assert result.returncode == 1, result.stderr
    for value in hidden:
        assert value not in result.stdout
    assert "****" in result.stdout
    assert (json.dumps(kept)[1:-1] if output_format == "json" else kept) in result.stdout
    shown = run_cli(*args, "-f", output_format, "--show-secrets")
    assert all(value in shown.stdout for value in hidden)
