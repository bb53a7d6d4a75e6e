"""Fault injection: the installed command against servers on 127.0.0.1 that misbehave on the
wire. Each row: the exit code, the cause named on stderr and in the JSON, and how long it took,
bounded by the time-out (or the conversation's deadline) plus a slack for a slow CI machine: a
fault that holds cors-probe past its budget fails the row.

The process start-up (~0.3 s) is inside the measured time, hence the slack."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import CliResult, _clean_env, cli_command, start_cli
from tests.probe.rawserver import RawServer, read_request, reset, trickle
from tests.servers import Reply, ScriptedServer

PAGE = "https://app.example"
ACAO = ("Access-Control-Allow-Origin", PAGE)
SLACK = 2.0
"""Seconds over the budget a row may take: start-up and a slow 2-core CI machine."""
Run = Callable[..., CliResult]

OK = (
    b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://app.example\r\n"
    b"Content-Length: 2\r\n\r\nok"
)
PREFLIGHT_OK = (
    b"HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: https://app.example\r\n"
    b"Access-Control-Allow-Methods: GET, POST\r\nAccess-Control-Allow-Headers: x-api-key, "
    b"content-type\r\n\r\n"
)


def _slow_headers(conn: socket.socket, _: int) -> None:
    read_request(conn)
    trickle(conn, OK, 0.2)


def _slow_body(conn: socket.socket, _: int) -> None:
    read_request(conn)
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://app.example\r\n"
        b"Content-Length: 100\r\n\r\n"
    )
    trickle(conn, b"x" * 100, 0.2)


def _reset(conn: socket.socket, _: int) -> None:
    read_request(conn)
    reset(conn)


def _garbage_status(conn: socket.socket, _: int) -> None:
    read_request(conn)
    conn.sendall(b"HTCPCP/1.0 418 I'm a teapot\r\n\r\n")


def _plain_http(conn: socket.socket, _: int) -> None:
    conn.recv(65536)  # a TLS ClientHello, answered in plain HTTP
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")


def _drops_the_kept_alive_connection(conn: socket.socket, number: int) -> None:
    """Answers the preflight and keeps the connection alive, then closes it unanswered when the
    actual request arrives on it; a new connection is answered."""
    if number == 0:
        read_request(conn)
        conn.sendall(PREFLIGHT_OK)
        read_request(conn)
        return
    while read_request(conn):
        conn.sendall(OK)


@dataclass(frozen=True)
class Fault:
    script: Callable[[socket.socket, int], None]
    args: tuple[str, ...]
    code: int
    kind: str | None
    """The JSON finding's failure kind (None: no failure)."""
    cause: str
    """On stderr and in the JSON finding's reason."""
    budget: float
    scheme: str = "http"


FAULTS = {
    "slow-headers": Fault(
        _slow_headers,
        ("--timeout", "1"),
        3,
        "timeout",
        "no complete response within 1 s: the server sent headers too slowly",
        1.0,
    ),
    "slow-body": Fault(
        _slow_body,
        ("--timeout", "1"),
        3,
        "timeout",
        "no complete response within 1 s: the server sent its body too slowly",
        1.0,
    ),
    "connection-reset": Fault(_reset, ("--timeout", "2"), 3, "protocol", "reset by peer", 0.0),
    "garbage-status-line": Fault(
        _garbage_status,
        ("--timeout", "2"),
        3,
        "protocol",
        "the server's status line is not HTTP: \"HTCPCP/1.0 418 I'm a teapot\"",
        0.0,
    ),
    "tls-to-a-plain-http-port": Fault(
        _plain_http, ("--timeout", "2"), 3, "tls", "SSL", 0.0, scheme="https"
    ),
    "kept-alive-connection-closed-between-preflight-and-actual": Fault(
        _drops_the_kept_alive_connection,
        ("--timeout", "2", "--header", "X-Api-Key: 1"),
        0,
        None,
        "",
        0.0,
    ),
    "post-on-a-closed-kept-alive-connection-is-not-retried": Fault(
        _drops_the_kept_alive_connection,
        ("--timeout", "2", "--method", "POST", "--header", "Content-Type: application/json"),
        3,
        "protocol",
        "Server disconnected without sending a response",
        0.0,
    ),
}


@pytest.mark.parametrize("name", FAULTS)
def test_a_fault_on_the_wire(name: str, run_cli: Run) -> None:
    fault = FAULTS[name]
    with RawServer(fault.script) as server:
        started = time.monotonic()
        result = run_cli(
            "check",
            server.url("/p", fault.scheme),
            "--origin",
            PAGE,
            "--format",
            "json",
            "--yes",
            "--insecure",
            *fault.args,
            timeout=30,
        )
        seconds = time.monotonic() - started
    result.assert_no_traceback()
    assert result.returncode == fault.code, result.stdout + result.stderr
    assert seconds <= fault.budget + SLACK, f"{name} took {seconds:.1f} s"
    document = result.json()
    unreachable = [f for f in document["findings"] if f["code"] == "unreachable"]
    if fault.kind is None:
        assert not unreachable
        assert result.stderr == ""
        return
    (finding,) = unreachable
    assert finding["detail"]["kind"] == fault.kind
    assert fault.cause in finding["detail"]["reason"]
    assert result.stderr.count("\n") == 1
    assert fault.cause in result.stderr


def _redirect_chain(server: ScriptedServer, delay: float) -> None:
    for hop in range(25):
        server.route(f"/r/{hop}", Reply(302, [ACAO, ("Location", f"/r/{hop + 1}")], delay=delay))


def test_a_slow_redirect_chain_stops_at_the_conversations_deadline_in_a_run(
    run_cli: Run, server: ScriptedServer, tmp_path: Path
) -> None:
    _redirect_chain(server, 0.3)
    (tmp_path / "cors-probe.toml").write_text(
        f'base_url = "{server.base_url}"\n[defaults]\norigin = "{PAGE}"\n'
        '[[check]]\nname = "chain"\npath = "/r/0"\ntimeout = 0.5\nexpect = "allowed"\n',
        encoding="utf-8",
    )
    started = time.monotonic()
    result = run_cli("run", "--format", "json", cwd=tmp_path)
    seconds = time.monotonic() - started
    result.assert_no_traceback()
    assert result.returncode == 3, result.stdout + result.stderr
    (check,) = result.json()["checks"]
    assert "the conversation's deadline of 1.5 s passed after" in check["problems"][0]
    assert seconds <= 1.5 + SLACK  # 3 x the check's 0.5 s time-out; the chain alone is 7.5 s


def test_a_slow_redirect_chain_stops_at_the_conversations_deadline_in_a_check(
    run_cli: Run, server: ScriptedServer
) -> None:
    _redirect_chain(server, 0.25)
    started = time.monotonic()
    result = run_cli("check", server.url("/r/0"), "--origin", PAGE, "--timeout", "0.5")
    seconds = time.monotonic() - started
    result.assert_no_traceback()
    assert result.returncode == 3
    assert "the conversation's deadline of 1.5 s passed after" in result.stderr
    assert seconds <= 1.5 + 1.0


def test_a_request_on_the_wire_is_cut_at_the_conversations_deadline_in_a_check(
    run_cli: Run, server: ScriptedServer
) -> None:
    """Each hop takes most of the 2 s time-out: the second starts at ~1.6 s and would end at
    ~3.1 s; it is given only the ~0.4 s left of the 2 s deadline."""
    _redirect_chain(server, 1.5)
    started = time.monotonic()
    result = run_cli(
        "check", server.url("/r/0"), "--origin", PAGE, "--timeout", "2", "--deadline", "2"
    )
    seconds = time.monotonic() - started
    result.assert_no_traceback()
    assert result.returncode == 3, result.stdout + result.stderr
    assert "the conversation's deadline of 2 s passed after 1 redirect" in result.stderr
    assert len(server.requests_to("/r/1")) == 1
    assert seconds <= 2 + 1.0  # the process start-up included


# --- the command itself: Ctrl-C, a closed stdout, --debug, unusable outputs -------------------


def _never_answers(conn: socket.socket, _: int) -> None:
    read_request(conn)
    conn.recv(1)  # until the client goes, or the server closes


@pytest.fixture(name="silent")
def _silent() -> Iterator[RawServer]:
    with RawServer(_never_answers) as server:
        yield server


def _policy(folder: Path, base_url: str, paths: list[str], timeout: float = 20) -> None:
    checks = "".join(
        f'[[check]]\nname = "c{i}"\npath = "{p}"\ntimeout = {timeout}\nexpect = "allowed"\n'
        for i, p in enumerate(paths)
    )
    (folder / "cors-probe.toml").write_text(
        f'base_url = "{base_url}"\n[defaults]\norigin = "{PAGE}"\n{checks}', encoding="utf-8"
    )


def _interrupt(folder: Path, server: RawServer, signals: int) -> tuple[int, str, float]:
    process = start_cli("run", "--jobs", "3", cwd=folder)
    waited = time.monotonic() + 20
    while server.accepted < 3 and time.monotonic() < waited:  # every check on the wire
        time.sleep(0.05)
    time.sleep(0.2)
    started = time.monotonic()
    for _ in range(signals):
        process.send_signal(signal.SIGINT)
        time.sleep(0.05)
    _, stderr = process.communicate(timeout=30)
    return process.returncode, stderr, time.monotonic() - started


@pytest.mark.parametrize("signals", [1, 2], ids=["ctrl-c", "ctrl-c-twice"])
def test_ctrl_c_ends_a_run_waiting_on_a_silent_server_at_once(
    signals: int, silent: RawServer, tmp_path: Path
) -> None:
    _policy(tmp_path, silent.url("").rstrip("/"), ["/s", "/s", "/s"])
    code, stderr, seconds = _interrupt(tmp_path, silent, signals)
    assert code == 130
    assert stderr.endswith("cors-probe: interrupted\n")
    assert stderr.count("interrupted") == 1
    assert "Traceback" not in stderr
    assert seconds < SLACK  # not the checks' 20 s time-out


def _piped(args: list[str], cwd: Path) -> tuple[int, str]:
    """The command's exit code with its stdout read by a reader that leaves at once."""
    command = " ".join(f"'{a}'" for a in [*cli_command(), *args])
    completed = subprocess.run(
        ["bash", "-c", f"{command} | true; exit ${{PIPESTATUS[0]}}"],
        capture_output=True,
        text=True,
        env=_clean_env(),
        cwd=cwd,
        timeout=60,
        check=False,
    )
    return completed.returncode, completed.stderr


@pytest.mark.parametrize(("path", "code"), [("/ok", 0), ("/closed", 1)], ids=["passes", "fails"])
def test_a_closed_stdout_keeps_the_commands_own_exit_code(
    path: str, code: int, server: ScriptedServer, tmp_path: Path
) -> None:
    server.route("/ok", Reply(200, [ACAO]))
    server.route("/closed", Reply(200))
    _policy(tmp_path, server.base_url, [path] * 40)  # more JSON than a pipe holds
    returncode, stderr = _piped(["run", "--format", "json"], tmp_path)
    assert returncode == code
    assert "Traceback" not in stderr
    assert "error" not in stderr  # the progress lines only


def test_debug_shows_the_traceback_and_keeps_the_exit_code(run_cli: Run) -> None:
    plain = run_cli("check", "htp://x")
    debug = run_cli("--debug", "check", "htp://x")
    assert plain.returncode == debug.returncode == 2
    assert "Traceback" in debug.stderr
    assert debug.stderr.endswith(plain.stderr)


def test_an_output_that_is_a_directory_is_refused_before_anything_is_sent(
    run_cli: Run, server: ScriptedServer, tmp_path: Path
) -> None:
    server.route("/ok", Reply(200, [ACAO]))
    _policy(tmp_path, server.base_url, ["/ok"])
    (tmp_path / "reports").mkdir()
    result = run_cli("run", "--output", "reports", cwd=tmp_path)
    result.assert_no_traceback()
    assert result.returncode == 2
    assert "is a directory" in result.stderr
    assert server.received == []
