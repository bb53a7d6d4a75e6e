"""`cors-probe demo`, run as the README's Quickstart writes it, against the embedded lab."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")

# endpoint -> (verdict, decisive finding): what a browser does with each lab endpoint, from a
# page on http://localhost:3000 (the lab's allowed origin).
EXPECTED: dict[str, tuple[str, str | None]] = {
    "/good": ("allowed", None),
    "/no-cors": ("blocked", "acao-missing"),
    "/wildcard-credentials": ("blocked", "wildcard-with-credentials"),
    "/joined-list": ("blocked", "acao-multiple"),
    "/no-put": ("blocked", "method-not-allowed"),
    "/no-content-type": ("blocked", "header-not-allowed"),
    "/options-405": ("blocked", "acao-missing"),
    "/preflight-redirect": ("blocked", "preflight-redirect"),
    "/no-vary": ("allowed", None),
    "/error-500": ("blocked", "acao-missing"),
    "/redirect-cross": ("blocked", "acao-mismatch"),
    "/client-hint": ("allowed", None),
}
"""Chrome's verdict; every engine agrees except where SPLITS says otherwise."""

# endpoint -> each engine's verdict, where the engines split
SPLITS: dict[str, dict[str, str]] = {
    "/client-hint": {"chrome": "allowed", "firefox": "blocked", "safari": "blocked"},
}


def quickstart_demo_args() -> list[str]:
    """The arguments of the Quickstart's first command's `cors-probe` part."""
    section = README[README.index("## Quickstart") :]
    command = next(line.strip() for line in section.splitlines() if "cors-probe demo" in line)
    words = shlex.split(command)
    return words[words.index("cors-probe") + 1 :]


def test_quickstart_runs_the_demo_and_prints_the_table(
    run_cli: Callable[..., CliResult],
) -> None:
    args = quickstart_demo_args()
    assert args == ["demo"]
    result = run_cli(*args)
    result.assert_no_traceback()
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for endpoint, (verdict, code) in EXPECTED.items():
        starts = re.compile(rf"(?<![\w/-]){endpoint}\s")
        at = next((n for n, line in enumerate(lines) if starts.search(line)), None)
        assert at is not None, f"{endpoint} missing from the table:\n{result.stdout}"
        row = lines[at]
        if endpoint in SPLITS:  # a line per engine, then the rule that splits them
            marks = {"allowed": "✔", "blocked": "✘"}
            cells = "\n".join(lines[at : at + 3])
            for engine, got in SPLITS[endpoint].items():
                assert f"{marks[got]} {engine.capitalize()}" in cells, cells
            assert "engines split: Firefox sends a preflight and Chrome does not" in row
            continue
        assert verdict.upper() in row
        assert "in all 3 engines" in lines[at + 1]
        if code is not None:
            assert code in row
    assert "http://localhost:3000" in result.stdout


@pytest.fixture(scope="module")
def demo_json(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    import json
    import subprocess

    from tests.conftest import _clean_env, cli_command

    completed = subprocess.run(
        [*cli_command(), "demo", "--format", "json"],
        capture_output=True,
        text=True,
        env=_clean_env(),
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    assert document["schema"] == "cors-probe/demo/1"
    assert document["browsers"] == ["chrome", "firefox", "safari"]
    return {check["endpoint"]: check["report"] for check in document["checks"]}


@pytest.mark.parametrize(("endpoint", "expected"), EXPECTED.items(), ids=list(EXPECTED))
def test_each_endpoint_gets_the_browsers_verdict(
    demo_json: dict[str, dict[str, object]], endpoint: str, expected: tuple[str, str | None]
) -> None:
    report = demo_json[endpoint]
    assert (report["verdict"], report["decisive"]) == expected


@pytest.mark.parametrize("endpoint", list(EXPECTED))
def test_each_endpoint_is_checked_in_every_engine(
    demo_json: dict[str, dict[str, object]], endpoint: str
) -> None:
    report = demo_json[endpoint]
    verdict = EXPECTED[endpoint][0]
    everyone = dict.fromkeys(("chrome", "firefox", "safari"), verdict)
    assert report["verdicts"] == SPLITS.get(endpoint, everyone)
    assert isinstance(report["browsers"], dict)
    assert sorted(report["browsers"]) == ["firefox", "safari"]
    splits = report["splits"]
    assert isinstance(splits, list)
    assert [s["browsers"] for s in splits] == [
        ["chrome", engine] for engine, got in SPLITS.get(endpoint, {}).items() if got != verdict
    ]


def test_demo_covers_every_endpoint_and_nothing_else(
    demo_json: dict[str, dict[str, object]],
) -> None:
    assert set(demo_json) == set(EXPECTED)


@pytest.mark.parametrize(
    ("endpoint", "warning"),
    [("/no-vary", "vary-origin-missing"), ("/error-500", "error-status-without-cors")],
)
def test_the_warnings_the_endpoints_exist_to_show(
    demo_json: dict[str, dict[str, object]], endpoint: str, warning: str
) -> None:
    findings = demo_json[endpoint]["findings"]
    assert isinstance(findings, list)
    assert warning in {f["code"] for f in findings}


def test_blocked_findings_carry_the_chrome_line_with_the_lab_url(
    demo_json: dict[str, dict[str, object]],
) -> None:
    report = demo_json["/no-cors"]
    findings = report["findings"]
    assert isinstance(findings, list)
    (decisive,) = [f for f in findings if f["code"] == "acao-missing"]
    chrome = decisive["browser"]["chrome"]
    assert re.fullmatch(
        r"Access to fetch at 'http://127\.0\.0\.1:\d+/no-cors' from origin "
        r"'http://localhost:3000' has been blocked by CORS policy: No "
        r"'Access-Control-Allow-Origin' header is present on the requested resource\.",
        chrome,
    ), chrome


@pytest.mark.parametrize(
    "args", [["demo", "--debug"], ["--debug", "demo"]], ids=["after-the-command", "before-it"]
)
def test_demo_accepts_debug_before_or_after_the_command(
    run_cli: Callable[..., CliResult], args: list[str]
) -> None:
    """`demo --debug` was refused ("No such option"); --debug is a root option too."""
    import json

    result = run_cli(*args, "--format", "json")
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout)["schema"] == "cors-probe/demo/1"
