"""`cors-probe lab`: serves the lab and its simulator page until Ctrl-C."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import urllib.request
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import CliResult, start_cli


@pytest.fixture
def lab_process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = start_cli("lab", "--port", "0")
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", first)
        assert match, first + (process.stderr.read() if process.stderr else "")
        yield process, match.group(1)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def test_lab_serves_the_page_and_stops_on_ctrl_c(
    lab_process: tuple[subprocess.Popen[str], str],
) -> None:
    process, base = lab_process
    with urllib.request.urlopen(base, timeout=10) as response:
        page = response.read().decode("utf-8")
    assert "cors-probe lab: CORS simulator" in page
    assert "<script" in page
    assert "http://" not in re.sub(r"<script.*?</script>", "", page, flags=re.S).split("<body")[0]
    request = urllib.request.Request(
        base + "lab/predict",
        data=json.dumps(
            {
                "url": base + "sim/x",
                "origin": "http://localhost:1",
                "method": "GET",
                "headers": [],
                "credentials": False,
                "preflight": {"status": 204, "headers": []},
                "response": {"status": 200, "headers": [["Access-Control-Allow-Origin", "*"]]},
            }
        ).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        report = json.load(response)
    assert report["verdict"] == "allowed"
    assert report["simulated"] is True
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "stopped" in out


def test_port_in_use_is_a_usage_error(run_cli: Callable[..., CliResult]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run_cli("lab", "--port", str(port))
    result.assert_no_traceback()
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_lab_lists_and_accepts_debug(run_cli: Callable[..., CliResult]) -> None:
    """`lab --debug` was refused ("No such option"): now it is listed, and it shows the
    traceback of an error instead of the one line."""
    help_text = run_cli("lab", "--help")
    assert help_text.returncode == 0
    assert "--debug" in help_text.stdout
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run_cli("lab", "--port", str(port), "--debug")
    assert "No such option" not in result.stderr
    assert "Traceback" in result.stderr
    assert f"UsageError: cannot listen on 127.0.0.1:{port}" in result.stderr
