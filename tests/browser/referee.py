"""Run each scenario twice against the same live server: in an engine, then through cors-probe.

The engine's behaviour (Chromium, Firefox or WebKit) is measured here, in the run, never
recorded: whether a preflight reached the server, whether the actual request did, whether fetch()
resolved, which response headers script could read, and every console line it printed. cors-probe
is then run as a user runs it (`cors-probe check ... --browser X --yes --format json`) against the
same URL, and the two are compared.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.browser.engines import OPTIONS, Engine
from tests.browser.scenarios import Answer, Scenario, refused_by
from tests.servers import Received, Reply, ScriptedServer

PAGE_HTML = b"<!doctype html><meta charset=utf-8><title>cors-probe referee</title><p>referee</p>"
FETCH = """(async () => {
  const init = {method: %(method)s, headers: %(headers)s, credentials: %(credentials)s};
  if (%(body)s !== null) init.body = %(body)s;
  Object.assign(init, %(modes)s);
  try {
    const response = await fetch(%(url)s, init);
    const names = [];
    response.headers.forEach((value, name) => names.push(name));
    await response.arrayBuffer();
    return {resolved: true, status: response.status, readable: names, error: null,
            type: response.type};
  } catch (error) {
    return {resolved: false, status: null, readable: [], error: String(error), type: null};
  }
})()"""


@dataclass(frozen=True)
class Place:
    """Where the scenario runs: the page's origin and the API's two origins."""

    origin: str
    api: str
    alt: str
    page_port: int
    api_port: int

    def url(self, scenario: Scenario) -> str:
        return f"{self.api}/s/{scenario.name}"

    def start(self, scenario: Scenario) -> str:
        """Where the fetch starts: the scenario's URL, or the page's own origin (`page_routes`)."""
        return f"{self.origin}/s/{scenario.name}" if scenario.page_routes else self.url(scenario)

    def fill(self, text: str, scenario: Scenario) -> str:
        return (
            text.replace("{origin}", self.origin)
            .replace("{base}", self.url(scenario))
            .replace("{api}", self.api)
            .replace("{alt}", self.alt)
            .replace("{name}", scenario.name)
            .replace("{port_suffix}", f":{self.page_port}")
            .replace("{api_port}", str(self.api_port))
        )


@dataclass(frozen=True)
class EngineResult:
    resolved: bool
    status: int | None
    readable: tuple[str, ...]
    error: str | None
    console: tuple[str, ...]
    """Every console line the engine printed for the fetch, in order (blocked fetches only)."""
    preflight_sent: bool
    actual_sent: bool
    received: tuple[str, ...]
    lost: tuple[str, ...]
    """Script-set headers that did not reach the server as written (lower-case names)."""
    requests: tuple[Received, ...] = ()
    """What reached the server, headers and all."""
    type: str | None = None
    """response.type when fetch() resolved: basic, cors, opaque or opaqueredirect."""


@dataclass(frozen=True)
class ProbeResult:
    exit_code: int
    verdict: str | None
    preflight_required: bool | None
    console: tuple[str, ...] | None
    """The engine's console lines for the first error finding, as cors-probe predicts them."""
    decisive: str | None
    readable: tuple[str, ...]
    codes: tuple[str, ...]
    dropped: tuple[str, ...]
    """Headers cors-probe says the browser drops (lower-case names)."""
    stderr: str
    document: dict[str, Any] | None = None
    """The whole JSON report."""


@dataclass(frozen=True)
class Comparison:
    scenario: Scenario
    engine: EngineResult
    probe: ProbeResult

    @property
    def engine_verdict(self) -> str:
        return "allowed" if self.engine.resolved else "blocked"

    @property
    def verdict_agrees(self) -> bool:
        return self.probe.verdict == self.engine_verdict

    @property
    def preflight_agrees(self) -> bool:
        return self.probe.preflight_required == self.engine.preflight_sent

    @property
    def console_agrees(self) -> bool | None:
        """None when there is nothing to compare (the engine allowed the request)."""
        if self.engine.resolved:
            return None
        return self.probe.console == self.engine.console

    @property
    def readable_agrees(self) -> bool | None:
        if not (self.engine.resolved and self.probe.verdict == "allowed"):
            return None
        return sorted(self.engine.readable) == sorted(self.probe.readable)


def _reply(place: Place, scenario: Scenario, answer: Answer) -> Reply | Callable[[Received], Reply]:
    """The scripted reply; a callable one when it echoes the request's Origin
    (`{request-origin}`) or stands behind a Fetch Metadata guard."""
    body = b"" if answer.status in (204, 304) else b'{"ok": true}'
    filled = [(name, place.fill(value, scenario)) for name, value in answer.headers]
    if answer.guard is None and not any("{request-origin}" in v for _, v in filled):
        return Reply(answer.status, filled, body=body)
    guard = answer.guard

    def respond(request: Received) -> Reply:
        site, mode = request.header("Sec-Fetch-Site"), request.header("Sec-Fetch-Mode")
        if guard is not None and refused_by(guard, site, mode):
            return Reply(403, [("Content-Type", "text/plain")], body=b"refused")
        origin = request.header("Origin") or ""
        pairs = [(n, v.replace("{request-origin}", origin)) for n, v in filled]
        return Reply(answer.status, pairs, body=body)

    return respond


def install(
    server: ScriptedServer, place: Place, scenario: Scenario, page: ScriptedServer | None = None
) -> None:
    """The scenario's routes on the API server, and its `page_routes` on the `page` server."""
    for relative, table in scenario.page_routes.items():
        assert page is not None, f"{scenario.name} has routes on the page's origin"
        handlers = {method: _reply(place, scenario, answer) for method, answer in table.items()}
        page.route(f"/s/{scenario.name}{relative}", **handlers)
    for relative, table in scenario.routes.items():
        handlers = {method: _reply(place, scenario, answer) for method, answer in table.items()}
        server.route(f"/s/{scenario.name}{relative}", **handlers)


def _under(received: Iterable[Received], scenario: Scenario) -> list[Received]:
    prefix = f"/s/{scenario.name}"
    return [r for r in received if r.path == prefix or r.path.startswith(prefix + "/")]


def _arrived(received: str | None, name: str, sent: str) -> bool:
    """Whether a script-set header reached the server. Chromium's network stack re-serialises a
    Range header it can parse (`bytes = 0-1` arrives as `bytes=0-1`): that is not a drop."""
    if received is None:
        return False
    if name.lower() == "range":
        return received.replace(" ", "") == sent.replace(" ", "")
    return received == sent


def engine_fetch(
    engine: Engine,
    url: str,
    method: str,
    headers: Iterable[tuple[str, str]],
    credentials: bool,
    body: str | None,
    mode: str = "cors",
    redirect: str = "follow",
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Run one fetch() on the current page; (what the script saw, every console line printed).
    `mode` and `redirect` go into the init only when not fetch()'s defaults."""
    mark = engine.console_mark()
    modes = {"mode": mode} if mode != "cors" else {}
    if redirect != "follow":
        modes["redirect"] = redirect
    expression = FETCH % {
        "method": json.dumps(method),
        "headers": json.dumps([list(pair) for pair in headers]),
        "credentials": json.dumps("include" if credentials else "same-origin"),
        "body": json.dumps(body),
        "url": json.dumps(url),
        "modes": json.dumps(modes),
    }
    outcome: dict[str, Any] = engine.evaluate(expression)
    lines: tuple[str, ...] = ()
    if not outcome["resolved"]:
        lines = tuple(engine.settle(mark))
    return outcome, lines


def scenario_fetch(
    engine: Engine, place: Place, scenario: Scenario
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """`engine_fetch` of `scenario` from its start URL at `place`."""
    return engine_fetch(
        engine,
        place.start(scenario),
        scenario.method,
        scenario.headers,
        scenario.credentials,
        scenario.body,
        scenario.mode,
        scenario.redirect,
    )


def run_in_engine(
    engine: Engine, server: ScriptedServer, place: Place, scenario: Scenario
) -> EngineResult:
    outcome, console = scenario_fetch(engine, place, scenario)
    seen = _under(server.received, scenario)
    if not outcome["resolved"] and not console:
        # fetch() threw or rejected without a console line of its own (a no-cors PUT; Firefox's
        # redirect: 'error'): the console shows the uncaught rejection, so its error is compared
        console = (str(outcome["error"]),)
    first = next((r for r in seen if r.header("Access-Control-Request-Method") is None), None)
    lost = (
        tuple(n.lower() for n, v in scenario.headers if not _arrived(first.header(n), n, v))
        if first is not None
        else ()
    )
    return EngineResult(
        resolved=bool(outcome["resolved"]),
        status=outcome["status"],
        readable=tuple(outcome["readable"]),
        error=outcome["error"],
        console=console,
        preflight_sent=any(r.header("Access-Control-Request-Method") is not None for r in seen),
        actual_sent=any(r.header("Access-Control-Request-Method") is None for r in seen),
        received=tuple(f"{r.method} {r.path}" for r in seen),
        lost=lost,
        requests=tuple(seen),
        type=outcome.get("type"),
    )


def check_arguments(
    url: str,
    origin: str,
    method: str,
    headers: Iterable[tuple[str, str]],
    credentials: bool,
    body: str | None,
    browser: str = "chrome",
    mode: str = "cors",
    redirect: str = "follow",
) -> list[str]:
    """`cors-probe check --browser X` for the same fetch(), with consent, as JSON; without the
    cache probe, whose own requests are not the browser's (tests/browser/test_http_cache.py
    referees it)."""
    args = ["check", url, "--origin", origin, "-X", method, "--browser", OPTIONS[browser]]
    args.append("--no-cache-probe")
    if mode != "cors":
        args += ["--mode", mode]
    if redirect != "follow":
        args += ["--redirect", redirect]
    for name, value in headers:
        args += ["-H", f"{name}: {value}"]
    if credentials:
        args.append("--credentials")
    if body is not None:
        args += ["--data", body]
    return [*args, "--yes", "--format", "json", "--timeout", "10"]


def probe_arguments(place: Place, scenario: Scenario, browser: str) -> list[str]:
    return check_arguments(
        place.start(scenario),
        place.origin,
        scenario.method,
        scenario.headers,
        scenario.credentials,
        scenario.body,
        browser,
        scenario.mode,
        scenario.redirect,
    )


def run_in_probe(
    command: list[str], env: dict[str, str], place: Place, scenario: Scenario, browser: str
) -> ProbeResult:
    return run_check(command, env, probe_arguments(place, scenario, browser), browser)


def run_check(
    command: list[str], env: dict[str, str], arguments: list[str], browser: str = "chrome"
) -> ProbeResult:
    completed = subprocess.run(
        [*command, *arguments],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    try:
        document: dict[str, Any] = json.loads(completed.stdout)
    except json.JSONDecodeError:
        return ProbeResult(
            completed.returncode, None, None, None, None, (), (), (), completed.stderr
        )
    return probe_result(document, completed.returncode, completed.stderr, browser)


def probe_result(
    document: dict[str, Any], exit_code: int, stderr: str, browser: str = "chrome"
) -> ProbeResult:
    """What the referee compares in one cors-probe/check/1 document (`check`'s, or a report
    of `cors-probe har`'s document)."""
    errors = [f for f in document["findings"] if f["severity"] == "error"]
    return ProbeResult(
        exit_code=exit_code,
        verdict=document["verdict"],
        preflight_required=document["preflight"]["required"],
        console=tuple(errors[0]["console"][browser]) if errors else None,
        decisive=document["decisive"],
        readable=tuple(name.lower() for name in document["actual"]["readable_headers"]),
        codes=tuple(f["code"] for f in document["findings"]),
        dropped=tuple(
            f["header"].lower()
            for f in document["findings"]
            if f["code"] in ("forbidden-header", "user-agent-dropped", "no-cors-header-dropped")
        ),
        stderr=stderr,
        document=document,
    )


@contextmanager
def servers() -> Iterator[tuple[ScriptedServer, ScriptedServer, Place]]:
    page = ScriptedServer().start()
    api = ScriptedServer().start()
    try:
        page.route("/", get=Reply(200, [("Content-Type", "text/html")], body=PAGE_HTML))
        page.route("/favicon.ico", get=Reply(204))
        place = Place(
            origin=page.base_url,
            api=f"http://localhost:{api.port}",
            alt=api.base_url,
            page_port=page.port,
            api_port=api.port,
        )
        yield page, api, place
    finally:
        page.close()
        api.close()


def referee(
    engine: Engine,
    scenarios: Iterable[Scenario],
    command: list[str],
    env: dict[str, str],
    progress: Callable[[str], None] | None = None,
    jobs: int = 4,
) -> list[Comparison]:
    """The engine first, every scenario in turn on one page; then cors-probe with `--browser`
    for that engine, a few at a time."""
    chosen = list(scenarios)
    with servers() as (page, api, place):
        for scenario in chosen:
            install(api, place, scenario, page)
        engine.navigate(page.url("/"))
        measured: dict[str, EngineResult] = {}
        for scenario in chosen:
            measured[scenario.name] = run_in_engine(engine, api, place, scenario)
            if progress is not None:
                progress(scenario.name)
        api.clear()
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            probed = list(
                pool.map(lambda s: run_in_probe(command, env, place, s, engine.name), chosen)
            )
    return [
        Comparison(scenario, measured[scenario.name], probe)
        for scenario, probe in zip(chosen, probed, strict=True)
    ]
