"""Bad input, consent, proxies and colour: the edges of `cors-probe check` as a user meets them."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from cors_probe.cli.app import main
from cors_probe.errors import UsageError
from cors_probe.inputs.request import RequestOptions, build
from tests.conftest import CliResult, _clean_env, cli_command, run_on_terminal
from tests.servers import Reply, ScriptedServer

PAGE = "https://app.example"
ACAO_OK = ("Access-Control-Allow-Origin", PAGE)
UNUSED = "http://127.0.0.1:9/p"

# (id, request options, the exact UsageError): checked in process, by the one request builder
BAD_REQUESTS: list[tuple[str, RequestOptions, str]] = [
    (
        "url-without-scheme",
        RequestOptions("example.com/p"),
        "bad URL 'example.com/p': the URL has no scheme (it must start with http:// or https://)",
    ),
    (
        "ftp-url",
        RequestOptions("ftp://example.com/p"),
        "bad URL 'ftp://example.com/p': ftp:// is not supported; browsers only make CORS "
        "requests to http:// and https:// URLs",
    ),
    (
        "url-bad-host",
        RequestOptions("http://exa mple.com/"),
        "bad URL 'http://exa mple.com/': invalid host name 'exa mple.com'",
    ),
    (
        "url-bad-port",
        RequestOptions("http://127.0.0.1:99999/p"),
        "bad URL 'http://127.0.0.1:99999/p': invalid port '99999'",
    ),
    (
        "origin-with-path",
        RequestOptions(UNUSED, "https://a.example/path"),
        "bad origin 'https://a.example/path': an origin is scheme://host[:port] with no path, "
        "query or fragment",
    ),
    (
        "origin-other-scheme",
        RequestOptions(UNUSED, "ftp://a.example"),
        "bad origin 'ftp://a.example': an origin must be http:// or https://, not ftp:",
    ),
    (
        "origin-bad-port",
        RequestOptions(UNUSED, "https://a.example:99999"),
        "bad origin 'https://a.example:99999': invalid port '99999'",
    ),
    (
        "header-without-colon",
        RequestOptions(UNUSED, headers=["NoColon"]),
        "header 'NoColon' has no colon: write it as 'Name: value'",
    ),
    (
        "header-bad-name",
        RequestOptions(UNUSED, headers=["Bad Name: x"]),
        "'Bad Name' is not a valid header name",
    ),
    (
        "header-non-ascii-name",
        RequestOptions(UNUSED, headers=["X-Ä: 1"]),
        "'X-Ä' is not a valid header name",
    ),
    (
        "header-value-newline",
        RequestOptions(UNUSED, headers=["X-A: a\nb"]),
        "the value of header 'X-A' holds a control character (CR, LF or NUL)",
    ),
    (
        "header-value-cr",
        RequestOptions(UNUSED, headers=["X-A: a\rb"]),
        "the value of header 'X-A' holds a control character (CR, LF or NUL)",
    ),
    (
        "header-value-nul",
        RequestOptions(UNUSED, headers=["X-A: a\x00b"]),
        "the value of header 'X-A' holds a control character (CR, LF or NUL)",
    ),
    (
        "header-value-not-latin1",
        RequestOptions(UNUSED, headers=["X-A: 日本"]),
        "the value of header 'X-A' holds characters a browser cannot send (not Latin-1)",
    ),
    (
        "method-not-a-token",
        RequestOptions(UNUSED, method="GE T"),
        "'GE T' is not a valid HTTP method (fetch() would throw)",
    ),
    (
        "missing-data-file",
        RequestOptions(UNUSED, method="POST", data="@no/such/file"),
        "--data '@no/such/file': No such file or directory",
    ),
]


@pytest.mark.parametrize(
    ("options", "message"), [c[1:] for c in BAD_REQUESTS], ids=[c[0] for c in BAD_REQUESTS]
)
def test_a_bad_request_is_a_usage_error(options: RequestOptions, message: str) -> None:
    with pytest.raises(UsageError, match=f"^{re.escape(message)}$"):
        build(options)


# (id, arguments after `cors-probe`, the exact line on stderr after "cors-probe: error: "):
# what the command line itself refuses, through main() in process
BAD_ARGUMENTS: list[tuple[str, list[str], str]] = [
    (
        "unknown-format",
        ["check", UNUSED, "--format", "yaml"],
        "Invalid value for '--format' / '-f': 'yaml' is not one of 'text', 'json', 'junit', "
        "'sarif', 'github'.",
    ),
    (
        "negative-timeout",
        ["check", UNUSED, "--timeout", "-1"],
        "Invalid value for '--timeout': -1.0 is not in the range x>=0.1.",
    ),
    (
        "missing-cacert",
        ["check", UNUSED, "--cacert", "no/such/file.pem"],
        "--cacert 'no/such/file.pem': no such file",
    ),
    ("missing-url", ["check"], "Missing argument 'url'."),
    ("unknown-option", ["check", UNUSED, "--bogus"], "No such option: --bogus"),
    ("unknown-command", ["frobnicate"], "No such command 'frobnicate'."),
    ("bad-url", ["check", "example.com/p"], BAD_REQUESTS[0][2]),
    ("bad-header", ["check", UNUSED, "-H", "NoColon"], BAD_REQUESTS[7][2]),
]


@pytest.mark.parametrize(
    ("args", "message"), [c[1:] for c in BAD_ARGUMENTS], ids=[c[0] for c in BAD_ARGUMENTS]
)
def test_bad_arguments_are_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    assert (exited.value.code, out) == (2, "")
    assert err.startswith(f"cors-probe: error: {message}")
    assert err.endswith("\n")
    assert err.count("\n") == 1, err


# the contract as a user meets it: a real process, one line on stderr, exit 2, no traceback
PROCESS_ROWS = ["url-without-scheme", "header-value-newline", "unknown-option"]
ARGS = {
    "url-without-scheme": ["check", "example.com/p"],
    "header-value-newline": ["check", UNUSED, "-H", "X-A: a\nb"],
    "unknown-option": ["check", UNUSED, "--bogus"],
}


@pytest.mark.parametrize("name", PROCESS_ROWS)
def test_bad_input_is_one_line_and_exit_2_in_a_process(
    name: str, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli(*ARGS[name])
    result.assert_no_traceback()
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cors-probe: error: ")
    assert result.stdout == ""


def test_data_file_is_sent_as_the_body(
    server: ScriptedServer, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    body = tmp_path / "body.txt"
    body.write_bytes(b"hello from a file")
    server.route("/p", post=Reply(200, [ACAO_OK, ("Vary", "Origin")]))
    result = run_cli(
        "check", server.url("/p"), "--origin", PAGE, "-X", "POST", "--data", f"@{body}", "--yes"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (received,) = server.requests_to("/p")
    assert received.body == b"hello from a file"
    assert received.header("Content-Type") == "text/plain;charset=UTF-8"


def test_version(run_cli: Callable[..., CliResult]) -> None:
    from cors_probe import __version__

    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"cors-probe {__version__}"


def test_no_colour_when_not_a_terminal_even_without_no_color(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route("/p", get=Reply(200, []))
    env = _clean_env()
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm-256color"
    completed = subprocess.run(
        [*cli_command(), "check", server.url("/p"), "--origin", PAGE],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1
    assert "BLOCKED" in completed.stdout
    assert "\x1b[" not in completed.stdout


def test_proxy_from_the_environment_is_used(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    """HTTP_PROXY points at our scripted server: it receives the absolute-form request for a host
    that does not exist, which only a proxy can answer."""
    target = "http://api.cors-probe.invalid/p"
    server.route(target, get=Reply(200, [ACAO_OK, ("Vary", "Origin")]))
    result = run_cli(
        "check",
        target,
        "--origin",
        PAGE,
        "--format",
        "json",
        env={"HTTP_PROXY": server.base_url, "NO_PROXY": ""},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (received,) = server.requests_to(target)
    assert received.header("Origin") == PAGE
    assert result.json()["verdict"] == "allowed"


@pytest.mark.parametrize(
    ("answer", "exit_code", "puts"),
    [(b"y\n", 0, 1), (b"n\n", 4, 0), (b"\n", 4, 0)],
    ids=["yes", "no", "default-no"],
)
def test_side_effects_ask_on_a_terminal(
    answer: bytes, exit_code: int, puts: int, server: ScriptedServer
) -> None:
    server.route(
        "/p",
        options=Reply(204, [ACAO_OK, ("Access-Control-Allow-Methods", "PUT")]),
        put=Reply(200, [ACAO_OK, ("Vary", "Origin")]),
    )
    code, output = run_on_terminal(
        ["check", server.url("/p"), "--origin", PAGE, "-X", "PUT"], answer
    )
    assert "Send PUT " in output
    assert "[y/N]" in output
    assert code == exit_code, output
    methods = [r.method for r in server.requests_to("/p")]
    assert methods == ["OPTIONS"] + ["PUT"] * puts


def test_side_effects_are_not_sent_without_a_terminal_or_yes(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route("/p", post=Reply(200, [ACAO_OK]))
    result = run_cli("check", server.url("/p"), "--origin", PAGE, "-X", "POST", "--format", "json")
    assert result.returncode == 4
    assert result.json()["verdict"] == "incomplete"
    assert server.requests_to("/p") == []
