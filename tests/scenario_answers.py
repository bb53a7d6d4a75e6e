"""The browser suite's scenarios (tests/browser/scenarios.py) answered offline: each scenario's
request shape, and a send that answers as the referee's scripted servers would (routes,
placeholders, Fetch Metadata guards, 404/405 elsewhere). For tests that compare two ways of
computing the same thing over hundreds of real conversations (preflights, redirects, modes,
credentials, cookies, exposed headers) without a network."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from urllib.parse import urlsplit

from cors_probe.model import (
    Headers,
    Origin,
    RedirectMode,
    RequestMode,
    RequestShape,
    WireRequest,
    WireResponse,
)
from cors_probe.policy.origin import parse_origin
from tests.browser.scenarios import SCENARIOS, Answer, Scenario, refused_by

PAGE_PORT, API_PORT = 8001, 8002
PAGE = f"http://127.0.0.1:{PAGE_PORT}"
API = f"http://localhost:{API_PORT}"
ALT = f"http://127.0.0.1:{API_PORT}"
Send = Callable[[WireRequest], WireResponse]


def _fill(text: str, scenario: Scenario) -> str:
    return (
        text.replace("{origin}", PAGE)
        .replace("{base}", f"{API}/s/{scenario.name}")
        .replace("{api}", API)
        .replace("{alt}", ALT)
        .replace("{name}", scenario.name)
        .replace("{port_suffix}", f":{PAGE_PORT}")
        .replace("{api_port}", str(API_PORT))
    )


def _table(scenario: Scenario, port: int | None, path: str) -> dict[str, Answer] | None:
    routes = scenario.page_routes if port == PAGE_PORT else scenario.routes
    by_path = {f"/s/{scenario.name}{relative}": table for relative, table in routes.items()}
    if path in by_path:
        return by_path[path]
    return next(
        (t for p, t in by_path.items() if p.endswith("/*") and path.startswith(p[:-1])), None
    )


def sender(scenario: Scenario) -> Send:
    """What the referee's servers answer each request of `scenario`."""

    def send(request: WireRequest) -> WireResponse:
        parts = urlsplit(request.url)
        table = _table(scenario, parts.port, parts.path)
        answer = None if table is None else table.get(request.method.lower(), table.get("any"))
        if answer is None:
            return WireResponse(404 if table is None else 405, Headers())
        site = request.headers.get("Sec-Fetch-Site")
        mode = request.headers.get("Sec-Fetch-Mode")
        if answer.guard is not None and refused_by(answer.guard, site, mode):
            pairs: tuple[tuple[str, str], ...] = (("Content-Type", "text/plain"),)
            return WireResponse(403, Headers(pairs), body=b"refused", body_bytes=7)
        origin = request.headers.get("Origin") or ""
        filled = tuple(
            (n, _fill(v, scenario).replace("{request-origin}", origin)) for n, v in answer.headers
        )
        body = b"" if answer.status in (204, 304) else b'{"ok": true}'
        return WireResponse(answer.status, Headers(filled), body=body, body_bytes=len(body))

    return send


def shape(scenario: Scenario) -> RequestShape:
    """The fetch() of `scenario` from the page, as `cors-probe check` is asked for it."""
    page = parse_origin(PAGE)
    assert isinstance(page, Origin)
    start = f"{PAGE}/s/{scenario.name}" if scenario.page_routes else f"{API}/s/{scenario.name}"
    return RequestShape(
        start,
        page,
        scenario.method,
        Headers(tuple(scenario.headers)),
        credentials=scenario.credentials,
        body=scenario.body.encode() if scenario.body is not None else None,
        mode=RequestMode(scenario.mode),
        redirect=RedirectMode(scenario.redirect),
    )


def cases() -> Iterator[tuple[str, RequestShape, Send]]:
    """Each scenario as (name, shape, send); each also with `--user-agent` and with a cookie."""
    for scenario in SCENARIOS:
        base = shape(scenario)
        yield scenario.name, base, sender(scenario)
    for scenario in SCENARIOS[::7]:
        base = replace(shape(scenario), user_agent="probe/1", cookie="sid=1")
        yield scenario.name + "+ua+cookie", base, sender(scenario)
