"""The gates' words and console lines, shaped as the engines print them (the lines themselves are
checked against the live engines in tests/browser/test_gates.py; these rows cover the shapes the
referee cannot reach: IPv6 and default ports, redirects, each engine's line count)."""

from __future__ import annotations

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.explain.catalogue import explain, firefox_lna_line
from cors_probe.explain.console import console_lines
from cors_probe.model import DetailValue, Finding, Severity, Stage

PAGE = "https://app.example"


def finding(code: C, url: str, first_url: str = "", **detail: DetailValue) -> Finding:
    severity = Severity.INFO if code is C.LOCAL_NETWORK_ACCESS else Severity.ERROR
    return Finding(code, severity, Stage.REQUEST, url, first_url, PAGE, detail=detail)


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("http://127.0.0.1:8080/x", "(127.0.0.1:8080)"),
        ("http://127.0.0.1/x", "(127.0.0.1:80)"),
        ("https://printer.lan/x", "(printer.lan:443)"),
        ("http://[::1]:9000/x", "([::1]:9000)"),
        ("http://[::1]/x", "([::1]:80)"),
    ],
)
def test_firefox_names_the_target_with_its_port(url: str, target: str) -> None:
    line = firefox_lna_line(finding(C.LOCAL_NETWORK_DENIED, url, secure=True))
    assert f"accessing target “{url}” {target} via fetch. Secure context: True," in line
    assert line.startswith(f"Local Network Access detected: top-level site “{PAGE}/”")


LINES = [
    # name, finding, engine, how many lines, the first line starts with
    ("chrome-denied", finding(C.LOCAL_NETWORK_DENIED, "http://127.0.0.1/x", space="loopback"),
     "chrome", 2, "Access to fetch at 'http://127.0.0.1/x' from origin"),
    ("chrome-insecure", finding(C.LOCAL_NETWORK_INSECURE_PAGE, "http://10.0.0.2/x",
     space="local"), "chrome", 2, "Access to fetch at 'http://10.0.0.2/x'"),
    ("firefox-denied", finding(C.LOCAL_NETWORK_DENIED, "http://10.0.0.2/x", preflight=False),
     "firefox", 2, "Local Network Access detected"),
    ("firefox-denied-preflighted", finding(C.LOCAL_NETWORK_DENIED, "http://10.0.0.2/x",
     preflight=True), "firefox", 2, "Cross-Origin Request Blocked"),
    ("firefox-granted", finding(C.LOCAL_NETWORK_ACCESS, "http://10.0.0.2/x", preflight=False,
     permission="granted"), "firefox", 1, "Local Network Access detected"),
    ("safari-no-lna", finding(C.LOCAL_NETWORK_DENIED, "http://10.0.0.2/x"), "safari", 0, ""),
    ("chrome-mixed", finding(C.MIXED_CONTENT, "http://api.example/x", page_url=PAGE + "/"),
     "chrome", 1, "Mixed Content: The page at 'https://app.example/'"),
    ("firefox-mixed", finding(C.MIXED_CONTENT, "http://api.example/x"), "firefox", 1,
     "Blocked loading mixed active content “http://api.example/x”"),
    ("safari-mixed", finding(C.MIXED_CONTENT, "http://api.example/x", page_url=PAGE + "/"),
     "safari", 3, "[blocked] The page at https://app.example/ requested insecure content"),
    ("safari-mixed-redirected", finding(C.MIXED_CONTENT, "http://api.example/x",
     "https://app.example/r", page_url=PAGE + "/"), "safari", 2, "[blocked] The page at"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("found", "engine", "count", "start"), [r[1:] for r in LINES], ids=[r[0] for r in LINES]
)
def test_each_engine_prints_its_own_lines(
    found: Finding, engine: str, count: int, start: str
) -> None:
    lines = console_lines(found, explain(found))[engine]
    assert len(lines) == count
    if count:
        assert lines[0].startswith(start)


def test_safari_names_the_first_url_after_a_redirect() -> None:
    found = finding(C.MIXED_CONTENT, "http://api.example/x", "https://app.example/r")
    lines = console_lines(found, explain(found))["safari"]
    assert lines[-1] == "Fetch API cannot load https://app.example/r due to access control checks."


@pytest.mark.parametrize(
    ("trustworthy", "ending"), [(False, "must be served over HTTPS."), (True, "must")]
)
def test_webkits_line_for_a_loopback_url_is_cut_as_it_prints_it(
    trustworthy: bool, ending: str
) -> None:
    found = finding(C.MIXED_CONTENT, "http://127.0.0.1/x", trustworthy=trustworthy)
    assert (explain(found).safari or "").endswith("This content was blocked and " + ending)
