"""HAR captures of the referee's fetch() calls: Chromium's built from its DevTools-protocol
Network events, as DevTools exports one; Firefox's exported by Firefox's own DevTools.

DevTools' "Save all as HAR" is built from the same events the Network panel shows
(devtools-frontend front_end/models/har/Log.ts, `Log.build` / `Entry.build`): one entry per
request and per redirect hop, the CORS preflight as an entry of its own (initiator type
`preflight`), the headers as they went on the wire (`requestWillBeSentExtraInfo`,
`responseReceivedExtraInfo`) where the network service reported them, else the renderer's
provisional ones. A request CORS blocked keeps the response the server sent (status and headers
from `responseReceivedExtraInfo`) and says why it failed in `_error`.

Own builder, not npm `chrome-har`: chrome-har deletes the entry of every request that ends in
`Network.loadingFailed` other than `net::ERR_ABORTED` (lib/messageHandlers/network.js, "Remove the
entry because it failed to load"), and a CORS-blocked request ends exactly so; it also appends the
wire headers to the provisional ones instead of replacing them. Standard library only.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from tests.browser import cdp, firefox
    from tests.browser.engines import Engine
    from tests.browser.referee import Place
    from tests.browser.scenarios import Scenario
    from tests.servers import ScriptedServer

Event = tuple[str, dict[str, Any]]
CREATOR = {"name": "WebInspector", "version": "537.36"}
"""What DevTools writes as the HAR's creator (front_end/models/har/Log.ts)."""
COOKIE = ("sid", "capture-s3cr3t-cookie")
"""The cookie the API's host holds while a capture runs: a credentialed fetch() sends it."""
PREFERENCES: dict[str, Any] = {"profile": {"cookie_controls_mode": 0}}
"""The capturing Chromium's profile: third-party cookies allowed (a desktop Chrome's default
outside Incognito), so that COOKIE goes with each credentialed fetch() to the API's other site."""


@dataclass
class _Request:
    """Every event of one requestId, in order (a redirect chain shares its id)."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    extra_request: list[dict[str, Any]] = field(default_factory=list)
    extra_response: list[dict[str, Any]] = field(default_factory=list)
    response: dict[str, Any] | None = None
    failed: dict[str, Any] | None = None
    finished: dict[str, Any] | None = None


def _pairs(headers: dict[str, str]) -> list[dict[str, str]]:
    """CDP's header object as HAR pairs: a value with newlines is several headers of one name."""
    return [
        {"name": name, "value": part}
        for name, value in headers.items()
        for part in str(value).split("\n")
    ]


def _from_text(text: str) -> tuple[str, list[dict[str, str]]]:
    """(status line, header pairs in wire order, case and duplicates kept) of a raw head."""
    lines = text.split("\r\n")
    pairs = []
    for line in lines[1:]:
        if not line:
            break
        name, _, value = line.partition(":")
        pairs.append({"name": name, "value": value.strip(" \t")})
    return lines[0], pairs


def _response_headers(extra: dict[str, Any] | None, fallback: dict[str, str]) -> list[Any]:
    if extra is not None and extra.get("headersText"):
        return _from_text(extra["headersText"])[1]
    if extra is not None:
        return _pairs(extra.get("headers", {}))
    return _pairs(fallback)


def _http_version(extra: dict[str, Any] | None, protocol: str | None) -> str:
    if extra is not None and extra.get("headersText"):
        return _from_text(extra["headersText"])[0].split(" ", 1)[0]
    return (protocol or "http/1.1").upper()


def _header(pairs: list[dict[str, str]], name: str) -> str:
    return next((p["value"] for p in pairs if p["name"].lower() == name.lower()), "")


def _started(wall: float) -> str:
    return (
        datetime.fromtimestamp(wall, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def _entry(
    sent: dict[str, Any],
    extra_request: dict[str, Any] | None,
    status: int,
    status_text: str,
    response_headers: list[dict[str, str]],
    http_version: str,
    error: str | None,
    page: str,
) -> dict[str, Any]:
    request = sent["request"]
    headers = _pairs(extra_request["headers"] if extra_request else request.get("headers", {}))
    url = request["url"]
    har_request: dict[str, Any] = {
        "method": request["method"],
        "url": url,
        "httpVersion": http_version if extra_request else "",
        "headers": headers,
        "queryString": [
            {"name": n, "value": v}
            for n, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)
        ],
        "cookies": [],
        "headersSize": -1,
        "bodySize": len(request.get("postData", "").encode()) if "postData" in request else 0,
    }
    if "postData" in request:
        har_request["postData"] = {
            "mimeType": _header(headers, "Content-Type"),
            "text": request["postData"],
        }
    initiator = sent.get("initiator", {})
    resource = "preflight" if initiator.get("type") == "preflight" else sent.get("type", "Other")
    response: dict[str, Any] = {
        "status": status,
        "statusText": status_text,
        "httpVersion": http_version if status else "",
        "headers": response_headers,
        "cookies": [],
        "content": {
            "size": 0,
            "mimeType": _header(response_headers, "Content-Type") or "x-unknown",
        },
        "redirectURL": _header(response_headers, "Location"),
        "headersSize": -1,
        "bodySize": -1,
        "_transferSize": 0,
        "_error": error,
    }
    return {
        "_initiator": {k: v for k, v in initiator.items() if k != "stack"},
        "_priority": request.get("initialPriority", "High"),
        "_resourceType": resource.lower(),
        "cache": {},
        "pageref": page,
        "request": har_request,
        "response": response,
        "serverIPAddress": "127.0.0.1",
        "startedDateTime": _started(sent["wallTime"]),
        "time": 0,
        "timings": {
            "blocked": -1,
            "dns": -1,
            "ssl": -1,
            "connect": -1,
            "send": 0,
            "wait": 0,
            "receive": 0,
        },
    }


def entries_of(events: list[Event], page: str = "page_1") -> list[dict[str, Any]]:
    """The HAR entries of `events` (Network.* (method, params) in arrival order), in the order
    the requests started; each redirect hop an entry of its own, closed by the next hop's
    `redirectResponse`."""
    requests: dict[str, _Request] = defaultdict(_Request)
    order: list[str] = []
    for method, params in events:
        ident = params.get("requestId")
        if ident is None:
            continue
        record = requests[ident]
        if method == "Network.requestWillBeSent":
            if ident not in order:
                order.append(ident)
            record.sent.append(params)
        elif method == "Network.requestWillBeSentExtraInfo":
            record.extra_request.append(params)
        elif method == "Network.responseReceivedExtraInfo":
            record.extra_response.append(params)
        elif method == "Network.responseReceived":
            record.response = params
        elif method == "Network.loadingFailed":
            record.failed = params
        elif method == "Network.loadingFinished":
            record.finished = params
    started: list[tuple[float, int, dict[str, Any]]] = []
    for ident in order:
        record = requests[ident]
        for hop, sent in enumerate(record.sent):
            extra_request = record.extra_request[hop] if hop < len(record.extra_request) else None
            extra_response = (
                record.extra_response[hop] if hop < len(record.extra_response) else None
            )
            error = record.failed.get("errorText") if record.failed else None
            answer: dict[str, Any] | None = None
            if hop + 1 < len(record.sent):  # closed by the next hop's redirectResponse
                answer, error = record.sent[hop + 1]["redirectResponse"], None
            elif record.response is not None:
                answer = record.response["response"]
            head: tuple[int, str, list[dict[str, str]], str]
            if answer is not None:
                head = (
                    answer["status"],
                    answer.get("statusText", ""),
                    _response_headers(extra_response, answer.get("headers", {})),
                    _http_version(extra_response, answer.get("protocol")),
                )
            elif extra_response is not None:  # CORS blocked it: what the server sent, kept
                status_line, headers = _from_text(extra_response.get("headersText", ""))
                head = (
                    extra_response["statusCode"],
                    status_line.split(" ", 2)[2] if status_line.count(" ") >= 2 else "",
                    headers or _pairs(extra_response.get("headers", {})),
                    _http_version(extra_response, None),
                )
            else:  # never answered (never sent: its preflight failed)
                head = (0, "", [], "")
            entry = _entry(sent, extra_request, *head, error, page)
            started.append((sent["timestamp"], len(started), entry))
    return [entry for _, _, entry in sorted(started, key=lambda item: (item[0], item[1]))]


def har_of(events: list[Event], page_url: str, started: float) -> dict[str, Any]:
    """A whole HAR 1.2 log as DevTools writes one: its creator, one page (`page_url` as its
    title), the entries of `events` (the engine's version is in each request's User-Agent)."""
    return {
        "log": {
            "version": "1.2",
            "creator": CREATOR,
            "pages": [
                {
                    "startedDateTime": _started(started),
                    "id": "page_1",
                    "title": page_url,
                    "pageTimings": {"onContentLoad": -1, "onLoad": -1},
                }
            ],
            "entries": entries_of(events),
        }
    }


@dataclass(frozen=True)
class Recording:
    """What one capture run produced: the HAR, what the engine did with each fetch(), and the
    scenarios left out (name, reason)."""

    har: dict[str, Any]
    seen: list[dict[str, Any]]
    skipped: list[dict[str, str]]
    setup: tuple[str, ...] = ()
    """URLs of the capture's own requests in the HAR (Firefox's cookie-setting fetch())."""


def record(
    browser: cdp.Browser,
    place: Place,
    page_url: str,
    scenarios: list[Scenario],
    skip: Callable[[Scenario], str | None] = lambda _: None,
) -> Recording:
    """Run each scenario's fetch() in Chromium from `page_url`, its servers already answering
    (referee.install), with the Network domain recorded from the page's load on: the HAR of it
    all, and per scenario its URL, method, verdict (blocked when fetch() rejected) and every
    console line (`run_all`)."""
    from tests.browser.engines import Chromium

    browser.command(
        "Network.setCookie",
        session=True,
        name=COOKIE[0],
        value=COOKIE[1],
        url=f"{place.api}/",
        secure=True,
        sameSite="None",
    )
    started = time.time()
    mark = len(browser.network_events())
    browser.command("Network.enable", session=True)
    browser.navigate(page_url)
    seen, skipped = run_all(Chromium(browser), place, scenarios, skip)
    time.sleep(0.3)  # the last events (loadingFinished) arrive after fetch() settles
    browser.command("Network.disable", session=True)
    events = [(m["method"], m["params"]) for m in browser.network_events()[mark:]]
    asked = {p["request"]["url"] for m, p in events if m == "Network.requestWillBeSent"}
    return Recording(har_of(events, page_url, started), *_sent(seen, skipped, asked))


FIREFOX_OPEN = """
const { require } = ChromeUtils.importESModule("resource://devtools/shared/loader/Loader.sys.mjs");
const { gDevTools } = require("devtools/client/framework/devtools");
const tab = Services.wm.getMostRecentWindow("navigator:browser").gBrowser.selectedTab;
return gDevTools.showToolboxForTab(tab, {toolId: "netmonitor"}).then(t => t.currentToolId);
"""
"""Open Firefox's DevTools on the tab, at the Network panel, which records from then on."""
FIREFOX_HAR = """
const { require } = ChromeUtils.importESModule("resource://devtools/shared/loader/Loader.sys.mjs");
const { gDevTools } = require("devtools/client/framework/devtools");
const tab = Services.wm.getMostRecentWindow("navigator:browser").gBrowser.selectedTab;
return gDevTools.getToolboxForTab(tab).getHARFromNetMonitor().then(log => JSON.stringify(log));
"""
"""The Network panel's HAR log, built by Firefox's own HAR builder (devtools/client/netmonitor/
src/har/har-builder.js, through toolbox.js getHARFromNetMonitor: what "Save All As HAR" and the
WebExtension devtools.network.getHAR() write)."""


def record_firefox(
    instance: firefox.Firefox,
    place: Place,
    api: ScriptedServer,
    page_url: str,
    scenarios: list[Scenario],
    skip: Callable[[Scenario], str | None] = lambda _: None,
) -> Recording:
    """`record` in Firefox ESR: the page loaded, the API's cookie set by a credentialed fetch()
    (which the panel lists too: `Recording.setup`), the Network panel opened, each fetch() run;
    the HAR is Firefox's own."""
    from tests.servers import Reply

    instance.navigate(page_url)
    api.route(
        "/capture/cookie",
        get=Reply(
            200,
            [
                ("Access-Control-Allow-Origin", place.origin),
                ("Access-Control-Allow-Credentials", "true"),
                ("Set-Cookie", f"{COOKIE[0]}={COOKIE[1]}; SameSite=None; Secure; Path=/"),
            ],
        ),
    )
    cookie_url = f"{place.api}/capture/cookie"
    instance.evaluate(f"fetch('{cookie_url}', {{credentials: 'include'}})")
    instance.chrome_script(FIREFOX_OPEN)
    seen, skipped = run_all(instance, place, scenarios, skip)
    time.sleep(0.5)  # the panel receives the last responses after fetch() settles
    log = json.loads(instance.chrome_script(FIREFOX_HAR))
    asked = {e["request"]["url"] for e in log["entries"]}
    return Recording({"log": log}, *_sent(seen, skipped, asked), setup=(cookie_url,))


def run_all(
    engine: Engine, place: Place, scenarios: list[Scenario], skip: Callable[[Scenario], str | None]
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Each scenario's fetch() in `engine`, in order: (what it did with each, those left out
    with the reason `skip` gives). What it did: URL, method, verdict (blocked when fetch()
    rejected) and every console line (fetch()'s error when it printed none, as the referee
    compares it)."""
    from tests.browser.referee import scenario_fetch

    seen: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    for scenario in scenarios:
        reason = skip(scenario)
        if reason is not None:
            skipped.append({"name": scenario.name, "reason": reason})
            continue
        outcome, console = scenario_fetch(engine, place, scenario)
        if not outcome["resolved"] and not console:
            console = (str(outcome["error"]),)  # as the referee compares it
        verdict = "allowed" if outcome["resolved"] else "blocked"
        seen.append(
            {
                "name": scenario.name,
                "url": place.start(scenario),
                "method": scenario.method,
                "verdict": verdict,
                "console": list(console),
            }
        )
    return seen, skipped


def _sent(
    seen: list[dict[str, Any]], skipped: list[dict[str, str]], asked: set[str]
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """`seen` without the scenarios that sent nothing (fetch() refused them before any request:
    nothing in the capture), those added to `skipped`."""
    kept = [s for s in seen if s["url"] in asked]
    gone = [
        {
            "name": s["name"],
            "reason": "fetch() refused it before any request: nothing in the capture",
        }
        for s in seen
        if s["url"] not in asked
    ]
    return kept, skipped + gone
