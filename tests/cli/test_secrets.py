"""Secrets never leak, whatever the server echoes: every command, every format, as a subprocess.

A server on 127.0.0.1 echoes everything it gets: each request header back under another name,
the query into a Location to a second hop (and so into the next URL and the findings), in the
reason phrase too. The marker goes in Authorization, X-Api-Key, the Cookie, `?api_key=` and, for
the rows that fetch() refuses anyway, `user:pass@`; it must appear nowhere in stdout or stderr.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.servers import Received, Reply, ScriptedServer

MARK = "SeCrEt-4711"
PAGE = "https://app.example"
FORMATS = ["text", "json", "junit", "sarif", "github"]
Run = Callable[..., CliResult]


def _echo(request: Received) -> Reply:
    """Everything the request carried, back: headers under other names, the query in a Location
    to /next (from /start), the path in the reason phrase."""
    allow = [
        ("Access-Control-Allow-Origin", request.header("Origin") or "*"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Vary", "Origin"),
    ]
    if request.method == "OPTIONS":
        asked = request.header("Access-Control-Request-Headers") or ""
        allow += [
            ("Access-Control-Allow-Methods", "GET, PUT"),
            ("Access-Control-Allow-Headers", asked),
        ]
    echoed = [(f"X-Echo-{name}", value) for name, value in request.headers]
    path, _, query = request.path.partition("?")
    echoed.append(("X-Echo-Query", query))
    if request.method != "OPTIONS" and path == "/start":
        return Reply(307, [*allow, *echoed, ("Location", f"/next?{query}")], reason=request.path)
    return Reply(200 if path == "/next" else 204, [*allow, *echoed], reason=request.path)


@pytest.fixture(name="echo")
def _echo_server(server: ScriptedServer) -> ScriptedServer:
    server.route("/start", _echo)
    server.route("/next", _echo)
    return server


def _request(server: ScriptedServer) -> list[str]:
    return [
        server.url(f"/start?api_key={MARK}&page=1"),
        "--origin",
        PAGE,
        "--credentials",
        "-H",
        f"Authorization: Bearer {MARK}",
        "-H",
        f"X-Api-Key: {MARK}",
        "--cookie",
        f"sid={MARK}",
    ]


def _assert_no_marker(result: CliResult) -> None:
    result.assert_no_traceback()
    assert MARK not in result.stdout, result.stdout
    assert MARK not in result.stderr, result.stderr


@pytest.mark.parametrize("extra", [[], ["--dry-run"], ["--verbose"]], ids=["sent", "dry", "v"])
@pytest.mark.parametrize("output_format", FORMATS)
def test_check_leaks_no_secret(
    run_cli: Run, echo: ScriptedServer, output_format: str, extra: list[str]
) -> None:
    result = run_cli("check", *_request(echo), "--format", output_format, *extra)
    _assert_no_marker(result)
    if not extra or extra == ["--verbose"]:
        assert any(r.path.startswith("/next") for r in echo.received), "the redirect was followed"
        assert any(r.header("X-Api-Key") == MARK for r in echo.received), "the secret was sent"


@pytest.mark.parametrize("output_format", FORMATS)
def test_check_with_user_info_leaks_no_secret(
    run_cli: Run, echo: ScriptedServer, output_format: str
) -> None:
    url = echo.url("/start").replace("http://", f"http://{MARK}:{MARK}@")
    _assert_no_marker(run_cli("check", url, "--origin", PAGE, "--format", output_format))


@pytest.mark.parametrize("output_format", FORMATS)
def test_simulate_leaks_no_secret(run_cli: Run, echo: ScriptedServer, output_format: str) -> None:
    result = run_cli(
        "simulate",
        *_request(echo),
        "--preflight-status",
        "204",
        "--preflight-header",
        f"Access-Control-Allow-Origin: {PAGE}",
        "--preflight-header",
        f"X-Echo: Bearer {MARK}",
        "--response-header",
        f"X-Echo-Authorization: Bearer {MARK}",
        "--format",
        output_format,
    )
    _assert_no_marker(result)


POLICY = """\
base_url = "${BASE}"

[defaults]
headers = ["Authorization: Bearer ${TOKEN}", "X-Api-Key: ${TOKEN}"]

[origins]
app = "https://app.example"

[[check]]
name = "echo"
path = "/start?api_key=${TOKEN}"
origin = "app"
credentials = true
expect = "blocked"
"""


@pytest.mark.parametrize("output_format", FORMATS)
def test_run_leaks_no_secret(
    run_cli: Run, echo: ScriptedServer, tmp_path: Path, output_format: str
) -> None:
    (tmp_path / "cors-probe.toml").write_text(POLICY, encoding="utf-8")
    result = run_cli(
        "run",
        "cors-probe.toml",
        "--format",
        output_format,
        cwd=tmp_path,
        env={"BASE": echo.base_url, "TOKEN": MARK},
    )
    _assert_no_marker(result)
    assert any(r.header("X-Api-Key") == MARK for r in echo.received), "the secret was sent"


USAGE_ERRORS = [
    ["check", "http://127.0.0.1:9/", "-H", f"Authorization Bearer {MARK}"],
    ["check", "http://127.0.0.1:9/", "-H", f"X-Api-Key {MARK}"],
    ["check", f"http://u:{MARK}@[bad/", "--origin", PAGE],
    ["check", f"http://[bad/?api_key={MARK}", "--origin", PAGE],
]
USAGE_IDS = ["authorization-no-colon", "api-key-no-colon", "bad-url", "bad-url-query"]


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=USAGE_IDS)
def test_a_usage_error_quotes_no_secret(run_cli: Run, args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2, result.stderr
    _assert_no_marker(result)


@pytest.mark.parametrize("where", ["first", "last"])
@pytest.mark.parametrize("args", USAGE_ERRORS, ids=USAGE_IDS)
def test_debugs_traceback_quotes_no_secret(run_cli: Run, args: list[str], where: str) -> None:
    """--debug's traceback quotes the exception's message and the source line that raised it:
    the secrets of the command line are masked in it as in the one-line error."""
    result = run_cli(*(["--debug", *args] if where == "first" else [*args, "--debug"]))
    assert result.returncode == 2, result.stderr
    assert "Traceback (most recent call last):" in result.stderr
    assert result.stderr.count("cors-probe: error: ") == 1
    assert "****" in result.stderr
    assert MARK not in result.stdout + result.stderr, result.stderr
