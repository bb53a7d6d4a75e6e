"""Fixtures: scripted servers on ephemeral loopback ports, and the installed CLI as a subprocess."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.servers import ScriptedServer

PROXY_AND_TLS_VARS = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
)


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def assert_no_traceback(self) -> None:
        assert "Traceback" not in self.stderr, self.stderr


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_AND_TLS_VARS}
    env.update(NO_COLOR="1", TERM="dumb", COLUMNS="120", PYTHONIOENCODING="utf-8")
    return env


def default_sigint() -> None:
    """Popen's preexec_fn for a child that a test interrupts: Ctrl-C acts as on a terminal even
    when pytest itself was started with SIGINT ignored (from `&` in a script), which the child
    would otherwise inherit."""
    signal.signal(signal.SIGINT, signal.default_int_handler)


def cli_command() -> list[str]:
    script = Path(sys.executable).parent / "cors-probe"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cors_probe"]


def start_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[str]:
    """The CLI as a child a test can interrupt: pipes for stdout and stderr, no stdin, the clean
    environment (or `env`), Ctrl-C as on a terminal (`default_sigint`)."""
    return subprocess.Popen(
        [*cli_command(), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_clean_env() if env is None else env,
        cwd=cwd,
        preexec_fn=default_sigint,
    )


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never leave loopback: no proxies, no CA overrides from the developer's shell."""
    for name in PROXY_AND_TLS_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(name="server")
def _server() -> Iterator[ScriptedServer]:
    with ScriptedServer().start() as server:
        yield server


@pytest.fixture(name="server_factory")
def _server_factory() -> Iterator[Callable[[], ScriptedServer]]:
    started: list[ScriptedServer] = []

    def start() -> ScriptedServer:
        server = ScriptedServer().start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


@pytest.fixture(name="run_cli")
def _run_cli() -> Callable[..., CliResult]:
    def run(
        *args: str,
        input: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60,
        cwd: Path | None = None,
    ) -> CliResult:
        completed = subprocess.run(
            [*cli_command(), *args],
            input=input,
            stdin=subprocess.DEVNULL if input is None else None,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**_clean_env(), **(env or {})},
            timeout=timeout,
            check=False,
            cwd=cwd,
        )
        return CliResult(completed.returncode, completed.stdout, completed.stderr)

    return run


def run_on_terminal(
    args: list[str],
    answer: bytes | None = None,
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 30,
) -> tuple[int, str]:
    """Run the CLI on a pseudo-terminal (stdin, stdout, stderr); type `answer` at its prompt.
    `env` replaces the clean environment when given."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*cli_command(), *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=_clean_env() if env is None else env,
        cwd=cwd,
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + timeout
    answered = False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
            if answer is not None and not answered and b"[y/N]" in output:
                os.write(leader, answer)
                answered = True
            if process.poll() is not None and not ready:
                break
        code = process.wait(timeout=max(0.1, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    return code, output.decode("utf-8", "replace")
