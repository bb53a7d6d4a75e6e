"""Bad input, consent, proxies and colour: the edges of `cors-probe check` as a user meets them."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult, _clean_env, cli_command, run_on_terminal
from tests.servers import Reply, ScriptedServer

PAGE = "https://app.example"
ACAO_OK = ("Access-Control-Allow-Origin", PAGE)
UNUSED = "http://127.0.0.1:9/p"

# (id, arguments after `cors-probe`, words the one-line error must contain)
BAD_INPUT: list[tuple[str, list[str], str]] = [
    ("url-without-scheme", ["check", "example.com/p"], "has no scheme"),
    ("ftp-url", ["check", "ftp://example.com/p"], "ftp:// is not supported"),
    ("url-bad-host", ["check", "http://exa mple.com/"], "invalid host"),
    ("url-bad-port", ["check", "http://127.0.0.1:99999/p"], "invalid port"),
    ("origin-with-path", ["check", UNUSED, "--origin", "https://a.example/path"], "no path"),
    ("origin-other-scheme", ["check", UNUSED, "--origin", "ftp://a.example"], "http://"),
    ("origin-bad-port", ["check", UNUSED, "--origin", "https://a.example:99999"], "port"),
    ("header-without-colon", ["check", UNUSED, "-H", "NoColon"], "has no colon"),
    ("header-bad-name", ["check", UNUSED, "-H", "Bad Name: x"], "not a valid header name"),
    ("header-non-ascii-name", ["check", UNUSED, "-H", "X-Ä: 1"], "not a valid header name"),
    ("header-value-newline", ["check", UNUSED, "-H", "X-A: a\nb"], "control character"),
    ("header-value-cr", ["check", UNUSED, "-H", "X-A: a\rb"], "control character"),
    ("header-value-not-latin1", ["check", UNUSED, "-H", "X-A: 日本"], "not Latin-1"),
    ("method-not-a-token", ["check", UNUSED, "-X", "GE T"], "not a valid HTTP method"),
    ("unknown-format", ["check", UNUSED, "--format", "yaml"], "'yaml' is not one of"),
    ("negative-timeout", ["check", UNUSED, "--timeout", "-1"], "--timeout"),
    ("missing-cacert", ["check", UNUSED, "--cacert", "no/such/file.pem"], "no such file"),
    ("missing-data-file", ["check", UNUSED, "-X", "POST", "--data", "@no/such/file"], "--data"),
    ("missing-url", ["check"], "Missing argument"),
    ("unknown-option", ["check", UNUSED, "--bogus"], "No such option"),
    ("unknown-command", ["frobnicate"], "No such command"),
]


@pytest.mark.parametrize(
    ("args", "words"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT]
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], words: str, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli(*args)
    result.assert_no_traceback()
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cors-probe: error: ")
    assert words in lines[0]
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
