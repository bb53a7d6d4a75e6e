"""Bad input, consent, proxies and colour: the edges of `cors-probe check` as a user meets them."""

from __future__ import annotations

import re
import socket
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
HTTP_PAGE = "http://app.example"
"""An http page, for a plain http:// target through a proxy (an https page may not fetch it:
mixed content)."""
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
    (
        "url-host-not-utf8",
        RequestOptions("http://%C3%28:8080/"),
        "bad URL 'http://%C3%28:8080/': invalid host name '%C3%28': its percent-escapes are not "
        "UTF-8",
    ),
    (
        "url-unbalanced-bracket",
        RequestOptions("http://[::1/x"),
        "bad URL 'http://[::1/x': invalid IPv6 address: a '[' or ']' without its partner",
    ),
    (
        "url-closing-bracket-only",
        RequestOptions("http://::1]/x"),
        "bad URL 'http://::1]/x': invalid IPv6 address: a '[' or ']' without its partner",
    ),
    (
        "origin-host-not-utf8",
        RequestOptions(UNUSED, "http://%C3%28:8080"),
        "bad origin 'http://%C3%28:8080': invalid host name '%C3%28': its percent-escapes are not "
        "UTF-8",
    ),
    (
        "origin-unbalanced-bracket",
        RequestOptions(UNUSED, "http://[::1"),
        "bad origin 'http://[::1': invalid IPv6 address: a '[' or ']' without its partner",
    ),
    (
        "url-too-long",
        RequestOptions("http://a.example/" + "a" * 65_520),
        "the URL is 65,537 characters long; the limit is 65,536",
    ),
    (
        "origin-too-long",
        RequestOptions(UNUSED, "https://" + "a" * 65_529),
        "the origin is 65,537 characters long; the limit is 65,536",
    ),
    (
        "url-port-not-ascii-digits",
        RequestOptions("http://a.example:\u0662/"),
        "bad URL 'http://a.example:\u0662/': invalid port '\u0662'",
    ),
    (
        "data-endless-stream",
        RequestOptions(UNUSED, method="POST", data="@/dev/zero"),
        "--data '@/dev/zero': the file is larger than 10 MiB (the limit)",
    ),
    (
        "data-a-directory",
        RequestOptions(UNUSED, method="POST", data="@/"),
        "--data '@/': Is a directory",
    ),
    (
        "data-nul-in-path",
        RequestOptions(UNUSED, method="POST", data="@a\x00b"),
        "--data '@a\\x00b': embedded null byte",
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
        "missing-cacert",
        ["check", UNUSED, "--cacert", "no/such/file.pem"],
        "--cacert 'no/such/file.pem': no such file",
    ),
    (
        "cacert-a-directory",
        ["check", UNUSED, "--cacert", "."],
        "--cacert '.': is a directory; give a PEM file",
    ),
    ("missing-url", ["check"], "give the URL to check, or --from-curl / --from-fetch"),
    ("unknown-option", ["check", UNUSED, "--bogus"], "No such option: --bogus"),
    ("unknown-command", ["frobnicate"], "No such command 'frobnicate'."),
    ("bad-url", ["check", "example.com/p"], BAD_REQUESTS[0][2]),
    ("bad-header", ["check", UNUSED, "-H", "NoColon"], BAD_REQUESTS[7][2]),
    *(
        (
            f"timeout-{text}",
            ["check", "--dry-run", UNUSED, "--timeout", text],
            f"--timeout must be a number of seconds from 0.1 up to 3600, not {shown}",
        )
        for text, shown in [
            ("inf", "inf"),
            ("nan", "nan"),
            ("1e300", "1e+300"),
            ("3601", "3601.0"),
            ("-1", "-1.0"),
        ]
    ),
    (
        "cacert-not-pem",
        ["check", "https://127.0.0.1:9/", "--cacert", __file__],
        f"--cacert {__file__!r}: not a PEM bundle of CA certificates (NO_CERTIFICATE_OR_CRL_FOUND)",
    ),
    (
        "origin-twice",
        ["check", "--dry-run", UNUSED, "-o", PAGE, "--origin", "https://b.example"],
        "give --origin once: a request has one page origin",
    ),
    (
        "origin-twice-simulate",
        ["simulate", UNUSED, "-o", PAGE, "-o", PAGE],
        "give --origin once: a request has one page origin",
    ),
    (
        "proxy-unsupported-scheme",
        ["check", UNUSED, "--proxy", "ftp://127.0.0.1:21"],
        "bad proxy 'ftp://127.0.0.1:21': write it as SCHEME://HOST:PORT with SCHEME one of "
        "http, https, socks5, socks5h",
    ),
    (
        "proxy-bad-host",
        ["run", "--proxy", "socks5://[::1:1080"],
        "bad proxy 'socks5://[::1:1080': invalid IPv6 address: a '[' or ']' without its partner",
    ),
    (
        "simulate-unbalanced-bracket",
        ["simulate", "http://[::1/x"],
        "bad URL 'http://[::1/x': invalid IPv6 address: a '[' or ']' without its partner",
    ),
]


@pytest.mark.parametrize(
    ("args", "message"), [c[1:] for c in BAD_ARGUMENTS], ids=[c[0] for c in BAD_ARGUMENTS]
)
def test_bad_arguments_are_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:  # main() returns the exit code, or raises SystemExit with it
        code: object = main(args)
    except SystemExit as exited:
        code = exited.code
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith(f"cors-probe: error: {message}")
    assert err.endswith("\n")
    assert err.count("\n") == 1, err


# the contract as a user meets it: a real process, one line on stderr, exit 2, no traceback
PROCESS_ROWS = [
    "url-without-scheme",
    "header-value-newline",
    "unknown-option",
    "url-host-not-utf8",
    "timeout-inf",
    "data-endless-stream",
]
ARGS = {
    "url-without-scheme": ["check", "example.com/p"],
    "header-value-newline": ["check", UNUSED, "-H", "X-A: a\nb"],
    "unknown-option": ["check", UNUSED, "--bogus"],
    "url-host-not-utf8": ["check", "http://%C3%28:8080/"],
    "timeout-inf": ["check", UNUSED, "--timeout", "inf"],
    "data-endless-stream": ["check", "--dry-run", UNUSED, "-X", "POST", "-d", "@/dev/zero"],
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


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        ("check", "[OPTIONS] [URL]"),  # optional with --from-curl / --from-fetch
        ("simulate", "[OPTIONS] [URL]"),
        ("run", "[OPTIONS] [FILE]"),
        ("demo", "[OPTIONS]"),
    ],
)
def test_the_usage_line_names_arguments_as_written(
    run_cli: Callable[..., CliResult], command: str, usage: str
) -> None:
    """`URL`, not typer's `{URL}`; the missing-argument error names it the same way."""
    result = run_cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"Usage: cors-probe {command} {usage}"
    assert "{" not in result.stdout.splitlines()[0]
    if usage.endswith(" URL"):
        missing = run_cli(command)
        assert missing.returncode == 2
        assert missing.stderr == "cors-probe: error: Missing argument 'URL'.\n"


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
    allowed = [("Access-Control-Allow-Origin", HTTP_PAGE), ("Vary", "Origin")]
    server.route(target, get=Reply(200, allowed))
    result = run_cli(
        "check",
        "--no-cache-probe",
        target,
        "--origin",
        HTTP_PAGE,
        "--format",
        "json",
        env={"HTTP_PROXY": server.base_url, "NO_PROXY": ""},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (received,) = server.requests_to(target)
    assert received.header("Origin") == HTTP_PAGE
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
        ["check", "--no-cache-probe", server.url("/p"), "--origin", PAGE, "-X", "PUT"], answer
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


def test_data_from_a_pipe_with_no_writer_is_refused_after_a_bounded_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import time

    from cors_probe.inputs import request

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    monkeypatch.setattr(request, "BODY_WAIT", 0.2)
    started = time.monotonic()
    with pytest.raises(
        UsageError,
        match=r"^--data '@.*fifo': nothing to read after 0\.2 s \(a pipe with no writer\?\)$",
    ):
        build(RequestOptions(UNUSED, method="POST", data=f"@{fifo}"))
    assert time.monotonic() - started < 5


def test_data_from_a_file_over_the_cap_is_refused_and_at_the_cap_is_read(tmp_path: Path) -> None:
    from cors_probe.inputs.request import MAX_BODY

    body = tmp_path / "body"
    with body.open("wb") as handle:
        handle.truncate(MAX_BODY)
    assert build(RequestOptions(UNUSED, method="POST", data=f"@{body}")).body == bytes(MAX_BODY)
    with body.open("ab") as handle:
        handle.write(b"x")
    with pytest.raises(UsageError, match=r"the file is larger than 10 MiB \(the limit\)$"):
        build(RequestOptions(UNUSED, method="POST", data=f"@{body}"))


def test_a_socks_proxy_that_is_not_listening_is_unreachable_not_a_crash(
    run_cli: Callable[..., CliResult],
) -> None:
    """socksio is installed with httpx[socks]: the environment's SOCKS proxy is used, and a closed
    port is exit 3 with one line, like any unreachable server."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    for args, env in [
        ([], {"ALL_PROXY": f"socks5://127.0.0.1:{port}", "NO_PROXY": ""}),
        (["--proxy", f"socks5://127.0.0.1:{port}"], {}),
    ]:
        result = run_cli(
            "check", "--no-cache-probe", "http://api.cors-probe.invalid/p", *args, env=env
        )
        result.assert_no_traceback()
        assert result.returncode == 3, result.stderr
        assert result.stderr.splitlines() == [
            "cors-probe: error: could not reach http://api.cors-probe.invalid/p: connection refused"
        ]


def test_an_unsupported_proxy_in_the_environment_is_a_usage_error(
    run_cli: Callable[..., CliResult],
) -> None:
    result = run_cli("check", UNUSED, env={"ALL_PROXY": "ftp://127.0.0.1:2121", "NO_PROXY": ""})
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        "cors-probe: error: cannot use the proxy: Unknown scheme for proxy URL "
        "URL('ftp://127.0.0.1:2121')"
    ]


def test_an_explicit_proxy_is_used(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    target = "http://api.cors-probe.invalid/p"
    allowed = [("Access-Control-Allow-Origin", HTTP_PAGE), ("Vary", "Origin")]
    server.route(target, get=Reply(200, allowed))
    result = run_cli(
        "check", "--no-cache-probe", target, "--origin", HTTP_PAGE, "--proxy", server.base_url
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (received,) = server.requests_to(target)
    assert received.header("Origin") == HTTP_PAGE


def test_a_latin1_header_value_is_modelled_as_its_byte() -> None:
    """fetch() accepts 'café' (code points <= 0xFF make a ByteString): é is the byte 0xE9."""
    shape = build(RequestOptions(UNUSED, headers=["X-Note: café"]))
    assert shape.headers.pairs == (("X-Note", "café"),)
    assert shape.headers.pairs[0][1].encode("latin-1") == b"caf\xe9"


@pytest.mark.parametrize("command", [["simulate"], ["check", "--dry-run"]])
def test_a_latin1_header_value_does_not_crash_offline(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main([*command, UNUSED, "-H", "X-Note: café", "--format", "json"])
    except SystemExit as exited:
        code = exited.code  # type: ignore[assignment]
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert "Traceback" not in err
    assert "café" in out


def test_a_latin1_header_value_is_sent_as_its_byte(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route(
        "/p",
        options=Reply(204, [ACAO_OK, ("Access-Control-Allow-Headers", "x-note")]),
        get=Reply(200, [ACAO_OK, ("Vary", "Origin")]),
    )
    result = run_cli("check", server.url("/p"), "--origin", PAGE, "-H", "X-Note: café")
    result.assert_no_traceback()
    assert result.returncode == 0, result.stderr
    actual = server.requests_to("/p")[-1]
    assert actual.header("X-Note") in ("café", "caf\xe9")


@pytest.mark.parametrize("rate", ["1e-300", "1e-20", "nan", "inf", "-1", "1e9"])
def test_a_rate_out_of_bounds_is_one_line(rate: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A tiny --rate once overflowed the pacer's clock (exit 70); nan and inf were accepted."""
    from cors_probe.cli.app import main

    code = main(["run", "--rate", rate, "no-such-policy.toml"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1
    assert err.startswith("cors-probe: error: --rate must be 0 (no limit) or from 0.01 up to")


@pytest.mark.parametrize("option", ["--answers", "--baseline"])
def test_an_endless_answers_or_baseline_file_is_refused(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """/dev/zero once grew memory without limit (GBs in seconds): files are read with a cap."""
    from cors_probe.cli.app import main

    policy = tmp_path / "cors-probe.toml"
    policy.write_text(
        'base_url = "http://127.0.0.1:9"\n[[check]]\npath = "/"\norigin = "https://a.example"\n'
        'expect = "allowed"\n',
        encoding="utf-8",
    )
    argv = (
        ["simulate", "http://127.0.0.1:9/", "--answers", "/dev/zero"]
        if option == "--answers"
        else ["run", str(policy), "--baseline", "/dev/zero"]
    )
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert (
        err
        == f"cors-probe: error: {option} '/dev/zero': the file is larger than 10 MiB (the limit)\n"
    )
