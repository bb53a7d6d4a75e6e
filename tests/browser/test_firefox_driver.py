"""The Firefox driver against real headless Firefox ESR: fetch() across origins, console read back.

Run with -s to see every console line Firefox printed and the headers it sent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.browser.engines import require
from tests.browser.firefox import Firefox, FirefoxError, firefox
from tests.servers import Received, Reply, ScriptedServer

pytestmark = pytest.mark.browser

PAGE = b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>page</title></head></html>"
BLOCKED = (
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource "
    "at {url}. (Reason: {reason}). Status code: {status}."
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Firefox]:
    started = time.monotonic()
    with firefox(require("firefox")) as instance:
        print(f"\n{instance.version}: started in {time.monotonic() - started:.2f} s")
        yield instance


@pytest.fixture
def page() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        server.route("/", Reply(200, [("Content-Type", "text/html; charset=utf-8")], PAGE))
        yield server


@pytest.fixture
def api() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


def fetch(
    browser: Firefox, page: ScriptedServer, url: str, init: str = "{}"
) -> tuple[str, list[str]]:
    """Run fetch(url, init) from the page; its outcome and the console lines it produced."""
    browser.navigate(page.url("/"))
    mark = browser.console_mark()
    started = time.monotonic()
    outcome = browser.evaluate(
        f"fetch({url!r}, {init}).then(r => r.text().then(t => r.status + ' ' + t), String)"
    )
    took = time.monotonic() - started
    lines = browser.settle(mark)
    print(f"\nfetch {url} {init}: {outcome!r} in {took * 1000:.0f} ms; console:")
    for line in lines:
        print(f"  {line}")
    return outcome, lines


def show(request: Received) -> None:
    print(f"  {request.method} {request.path}")
    for name, value in request.headers:
        print(f"    {name}: {value}")


def test_missing_allow_origin_is_blocked_and_logged(
    browser: Firefox, page: ScriptedServer, api: ScriptedServer
) -> None:
    api.route("/x", Reply(200, [("Content-Type", "text/plain")], b"secret"))
    url = f"http://localhost:{api.port}/x"

    outcome, lines = fetch(browser, page, url)

    assert outcome == "TypeError: NetworkError when attempting to fetch resource."
    reason = "CORS header ‘Access-Control-Allow-Origin’ missing"
    assert lines == [BLOCKED.format(url=url, reason=reason, status=200)]
    [request] = api.requests_to("/x")
    print("simple GET, as received:")
    show(request)
    assert request.header("Origin") == page.base_url


def test_matching_allow_origin_is_allowed_and_silent(
    browser: Firefox, page: ScriptedServer, api: ScriptedServer
) -> None:
    allow = [("Access-Control-Allow-Origin", page.base_url), ("Content-Type", "text/plain")]
    api.route("/x", Reply(200, allow, b"shared"))

    outcome, lines = fetch(browser, page, f"http://localhost:{api.port}/x")

    assert outcome == "200 shared"
    assert lines == []


@pytest.mark.parametrize(
    ("allow", "reasons"),
    [
        pytest.param(
            False,
            [
                ("CORS header ‘Access-Control-Allow-Origin’ missing", "500"),
                ("CORS request did not succeed", "(null)"),
            ],
            id="bare",
        ),
        pytest.param(
            True,
            [
                ("CORS preflight response did not succeed", "500"),
                ("CORS request did not succeed", "(null)"),
            ],
            id="with-allow-headers",
        ),
    ],
)
def test_preflight_answered_500_blocks_the_put(
    browser: Firefox,
    page: ScriptedServer,
    api: ScriptedServer,
    allow: bool,
    reasons: list[tuple[str, str]],
) -> None:
    headers = [("Content-Type", "text/plain")]
    if allow:
        headers += [
            ("Access-Control-Allow-Origin", page.base_url),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "x-token"),
        ]
    api.route("/x", options=Reply(500, headers, b"boom"))
    url = f"http://localhost:{api.port}/x"

    outcome, lines = fetch(browser, page, url, "{method: 'PUT', headers: {'X-Token': '1'}}")

    assert outcome == "TypeError: NetworkError when attempting to fetch resource."
    assert lines == [BLOCKED.format(url=url, reason=r, status=code) for r, code in reasons]
    print("preflight, as received:")
    for request in api.requests_to("/x"):
        show(request)
    assert [r.method for r in api.requests_to("/x")] == ["OPTIONS"]


def test_preflight_allowed_then_put(
    browser: Firefox, page: ScriptedServer, api: ScriptedServer
) -> None:
    origin = ("Access-Control-Allow-Origin", page.base_url)
    preflight = Reply(
        204,
        [
            origin,
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "x-token"),
        ],
    )
    api.route("/x", options=preflight, put=Reply(200, [origin], b"stored"))

    outcome, lines = fetch(
        browser,
        page,
        f"http://localhost:{api.port}/x",
        "{method: 'PUT', headers: {'X-Token': '1'}, body: 'b'}",
    )

    assert outcome == "200 stored"
    assert lines == []
    print("preflight and PUT, as received:")
    for request in api.requests_to("/x"):
        show(request)
    assert [r.method for r in api.requests_to("/x")] == ["OPTIONS", "PUT"]


def test_evaluate_awaits_and_reports_failures(browser: Firefox, page: ScriptedServer) -> None:
    browser.navigate(page.url("/"))

    assert browser.evaluate("new Promise(r => setTimeout(() => r({a: [1, 'x']}), 10))") == {
        "a": [1, "x"]
    }
    assert browser.evaluate("document.title") == "page"
    with pytest.raises(FirefoxError, match="Error: nope"):
        browser.evaluate("Promise.reject(new Error('nope'))")
    with pytest.raises(FirefoxError, match="Timed out"):
        browser.evaluate("new Promise(() => {})", timeout=0.5)


def test_page_errors_are_console_lines(browser: Firefox, page: ScriptedServer) -> None:
    browser.navigate(page.url("/"))
    mark = browser.console_mark()

    browser.evaluate(
        "(() => { const s = document.createElement('script');"
        " s.textContent = 'Promise.reject(new Error(\"unhandled\")); null.x';"
        " document.head.append(s); return 1; })()"
    )

    lines = browser.settle(mark)
    print("\npage errors:", *lines, sep="\n  ")
    assert lines == [
        'Uncaught TypeError: can\'t access property "x" of null',
        "Uncaught (in promise) Error: unhandled",
    ]
