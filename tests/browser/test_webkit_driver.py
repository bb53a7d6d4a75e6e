"""The WebKitGTK driver (webkit.py, webkit_driver.py) against live WebKit and scripted servers.

The page is served from http://127.0.0.1:PAGE and fetches from http://localhost:API, another
origin. What WebKit prints is the truth here: the expected console lines are WebKit's own words,
character for character. Run with -s to see every line, the headers WebKit sent and the timings.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.browser.engines import require
from tests.browser.webkit import (
    CONSOLE_LINE,
    ConsoleEntry,
    WebKit,
    WebKitError,
    webkit,
)
from tests.servers import Received, Reply, ScriptedServer

pytestmark = pytest.mark.browser

PAGE_HTML = b"<!doctype html><meta charset=utf-8><title>cors-probe webkit</title><p>webkit"
FETCH = """(async () => {
  try {
    const response = await fetch(%(url)s, %(init)s);
    await response.arrayBuffer();
    return {resolved: true, status: response.status, error: null};
  } catch (error) {
    return {resolved: false, status: null, error: String(error)};
  }
})()"""


@pytest.fixture(scope="module")
def safari() -> Iterator[WebKit]:
    with webkit(require("safari")) as instance:
        print(
            f"\n{instance.version} ({instance.user_agent}), started in "
            f"{instance.startup_seconds:.2f} s"
        )
        yield instance


@dataclass(frozen=True)
class Site:
    page: ScriptedServer
    api: ScriptedServer

    @property
    def origin(self) -> str:
        return self.page.base_url

    def api_url(self, path: str) -> str:
        return f"http://localhost:{self.api.port}{path}"


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with ScriptedServer() as page, ScriptedServer() as api:
        page.route("/", Reply(200, [("Content-Type", "text/html; charset=utf-8")], PAGE_HTML))
        yield Site(page, api)


@pytest.fixture
def on_page(safari: WebKit, site: Site) -> WebKit:
    safari.navigate(site.page.url("/"))
    return safari


@dataclass(frozen=True)
class Run:
    outcome: dict[str, Any]
    seconds: float
    at_settle: list[str]
    """Console lines by the time the promise settled and the reply came back."""
    entries: list[ConsoleEntry]
    """Every console entry once the console was quiet."""


def run_fetch(browser: WebKit, url: str, init: dict[str, Any], case: str) -> Run:
    mark = browser.console_mark()
    started = time.monotonic()
    outcome = browser.evaluate(FETCH % {"url": json.dumps(url), "init": json.dumps(init)})
    seconds = time.monotonic() - started
    at_settle = browser.console_since(mark)
    browser.settle(mark)
    entries = browser.console_entries_since(mark)
    print(f"\n[{case}] fetch {url} {init}: {outcome} in {seconds * 1000:.1f} ms")
    print(f"[{case}] {len(at_settle)} of {len(entries)} lines were in when the reply came")
    for entry in entries:
        print(f"[{case}] {entry.source} {entry.level} {entry.text}")
    return Run(outcome, seconds, at_settle, entries)


def show(case: str, received: list[Received]) -> None:
    for request in received:
        print(f"[{case}] {request.method} {request.path}")
        for name, value in request.headers:
            print(f"[{case}]   {name}: {value}")


def test_no_allow_origin_is_blocked_with_webkits_two_lines(on_page: WebKit, site: Site) -> None:
    site.api.route("/no-acao", Reply(200, [("Content-Type", "application/json")], b"{}"))
    url = site.api_url("/no-acao")
    run = run_fetch(on_page, url, {}, "no ACAO")
    show("no ACAO", site.api.requests_to("/no-acao"))
    assert run.outcome == {"resolved": False, "status": None, "error": "TypeError: Load failed"}
    assert run.entries == [
        (
            "SECURITY",
            "ERROR",
            f"Origin {site.origin} is not allowed by Access-Control-Allow-Origin. Status code: 200",
        ),
        ("JS", "ERROR", f"Fetch API cannot load {url} due to access control checks."),
    ]
    [request] = site.api.requests_to("/no-acao")
    assert request.method == "GET"
    assert request.header("Origin") == site.origin


def test_matching_allow_origin_resolves_without_a_line(on_page: WebKit, site: Site) -> None:
    site.api.route("/acao", Reply(200, [("Access-Control-Allow-Origin", site.origin)], b"{}"))
    run = run_fetch(on_page, site.api_url("/acao"), {}, "ACAO = origin")
    assert run.outcome == {"resolved": True, "status": 200, "error": None}
    assert run.entries == []


def test_failed_preflight_blocks_the_put(on_page: WebKit, site: Site) -> None:
    site.api.route("/put-500", options=Reply(500), put=Reply(200))
    url = site.api_url("/put-500")
    init = {"method": "PUT", "headers": {"Content-Type": "application/json"}, "body": "{}"}
    run = run_fetch(on_page, url, init, "preflight 500")
    show("preflight 500", site.api.requests_to("/put-500"))
    assert not run.outcome["resolved"]
    assert run.entries == [
        ("SECURITY", "ERROR", "Preflight response is not successful. Status code: 500"),
        ("JS", "ERROR", f"Fetch API cannot load {url} due to access control checks."),
    ]
    assert [r.method for r in site.api.requests_to("/put-500")] == ["OPTIONS"]


def test_allowed_preflight_lets_the_put_through(on_page: WebKit, site: Site) -> None:
    allow = [("Access-Control-Allow-Origin", site.origin)]
    site.api.route(
        "/put-ok",
        options=Reply(
            204,
            [
                *allow,
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "content-type"),
            ],
        ),
        put=Reply(200, allow, b"{}"),
    )
    init = {"method": "PUT", "headers": {"Content-Type": "application/json"}, "body": "{}"}
    run = run_fetch(on_page, site.api_url("/put-ok"), init, "preflight ok")
    show("preflight ok", site.api.requests_to("/put-ok"))
    assert run.outcome == {"resolved": True, "status": 200, "error": None}
    assert run.entries == []
    preflight, actual = site.api.requests_to("/put-ok")
    assert (preflight.method, actual.method) == ("OPTIONS", "PUT")
    assert preflight.header("Access-Control-Request-Method") == "PUT"
    assert preflight.header("Access-Control-Request-Headers") == "content-type"
    assert actual.body == b"{}"


def test_console_calls_keep_their_level_and_their_lines(on_page: WebKit) -> None:
    mark = on_page.console_mark()
    on_page.evaluate(
        "console.log('one\\ntwo'), console.warn('ERROR is a word here'), console.error('')"
    )
    assert on_page.settle(mark) == ["one\ntwo", "ERROR is a word here", ""]
    assert on_page.console_entries_since(mark) == [
        ("CONSOLE", "LOG", "one\ntwo"),
        ("CONSOLE", "WARN", "ERROR is a word here"),
        ("CONSOLE", "ERROR", ""),
    ]


def test_page_script_lines_lose_their_location(safari: WebKit, site: Site) -> None:
    script = b"<script>\nconsole.info('from the page');\n</script>"
    site.page.route("/script", Reply(200, [("Content-Type", "text/html")], PAGE_HTML + script))
    mark = safari.console_mark()
    safari.navigate(site.page.url("/script"))
    assert safari.settle(mark) == ["from the page"]  # printed `[native code]: CONSOLE INFO ...`
    print("\n[page script]", [line for line in safari.output if "from the page" in line])


@pytest.mark.parametrize(
    ("line", "entry"),
    [
        ("CONSOLE SECURITY ERROR Origin x", ("SECURITY", "ERROR", "Origin x")),
        ("CONSOLE LOG ERROR x", ("CONSOLE", "LOG", "ERROR x")),
        ("CONSOLE LOG a: CONSOLE LOG b", ("CONSOLE", "LOG", "a: CONSOLE LOG b")),
        ("CONSOLE ERROR ", ("CONSOLE", "ERROR", "")),
        ("[native code]: CONSOLE INFO hi", ("CONSOLE", "INFO", "hi")),
        ("http://127.0.0.1:8000/:2:12: CONSOLE JS ERROR e", ("JS", "ERROR", "e")),
        ("http://127.0.0.1:8000/a.js:3: CONSOLE WARN w", ("CONSOLE", "WARN", "w")),
    ],
)
def test_console_line_grammar(line: str, entry: tuple[str, str, str]) -> None:
    match = CONSOLE_LINE.fullmatch(line)
    assert match is not None
    assert (match["source"] or "CONSOLE", match["level"], match["text"]) == entry


def test_evaluate_awaits_and_reports_errors(on_page: WebKit) -> None:
    assert on_page.evaluate("new Promise(r => setTimeout(() => r({a: [1, 'x']}), 50))") == {
        "a": [1, "x"]
    }
    assert on_page.evaluate("undefined // a comment") is None
    with pytest.raises(WebKitError, match="nope"):
        on_page.evaluate("Promise.reject(new Error('nope'))")
    with pytest.raises(WebKitError, match="no answer"):
        on_page.evaluate("new Promise(() => {})", timeout=0.5)
    assert on_page.evaluate("location.href") == on_page.evaluate("document.URL")
