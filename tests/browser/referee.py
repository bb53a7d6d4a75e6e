"""Run each scenario twice against the same live server: in Chromium, then through cors-probe.

Chromium's behaviour is measured here, in the run, never recorded: whether a preflight reached the
server, whether the actual request did, whether fetch() resolved, which response headers script
could read, and the console line. cors-probe is then run as a user runs it (`cors-probe check ...
--yes --format json`) against the same URL, and the two are compared.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.browser.cdp import Browser, ConsoleEntry
from tests.browser.scenarios import Scenario
from tests.servers import Received, Reply, ScriptedServer

PAGE_HTML = b"<!doctype html><meta charset=utf-8><title>cors-probe referee</title><p>referee</p>"
FETCH = """(async () => {
  const init = {method: %(method)s, headers: %(headers)s, credentials: %(credentials)s};
  if (%(body)s !== null) init.body = %(body)s;
  try {
    const response = await fetch(%(url)s, init);
    const names = [];
    response.headers.forEach((value, name) => names.push(name));
    await response.arrayBuffer();
    return {resolved: true, status: response.status, readable: names, error: null};
  } catch (error) {
    return {resolved: false, status: null, readable: [], error: String(error)};
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
class ChromiumResult:
    resolved: bool
    status: int | None
    readable: tuple[str, ...]
    error: str | None
    console: str | None
    preflight_sent: bool
    actual_sent: bool
    received: tuple[str, ...]
    lost: tuple[str, ...]
    """Script-set headers that did not reach the server as written (lower-case names)."""


@dataclass(frozen=True)
class ProbeResult:
    exit_code: int
    verdict: str | None
    preflight_required: bool | None
    chrome: str | None
    decisive: str | None
    readable: tuple[str, ...]
    codes: tuple[str, ...]
    dropped: tuple[str, ...]
    """Headers cors-probe says the browser drops (lower-case names)."""
    stderr: str


@dataclass(frozen=True)
class Comparison:
    scenario: Scenario
    chromium: ChromiumResult
    probe: ProbeResult

    @property
    def chromium_verdict(self) -> str:
        return "allowed" if self.chromium.resolved else "blocked"

    @property
    def verdict_agrees(self) -> bool:
        return self.probe.verdict == self.chromium_verdict

    @property
    def preflight_agrees(self) -> bool:
        return self.probe.preflight_required == self.chromium.preflight_sent

    @property
    def console_agrees(self) -> bool | None:
        """None when there is nothing to compare (Chromium allowed the request)."""
        if self.chromium.resolved:
            return None
        return self.probe.chrome == self.chromium.console

    @property
    def readable_agrees(self) -> bool | None:
        if not (self.chromium.resolved and self.probe.verdict == "allowed"):
            return None
        return sorted(self.chromium.readable) == sorted(self.probe.readable)


def install(server: ScriptedServer, place: Place, scenario: Scenario) -> None:
    for relative, table in scenario.routes.items():
        handlers = {
            method: Reply(
                answer.status,
                [(name, place.fill(value, scenario)) for name, value in answer.headers],
                body=b"" if answer.status in (204, 304) else b'{"ok": true}',
            )
            for method, answer in table.items()
        }
        server.route(f"/s/{scenario.name}{relative}", **handlers)


def _under(received: Iterable[Received], scenario: Scenario) -> list[Received]:
    prefix = f"/s/{scenario.name}"
    return [r for r in received if r.path == prefix or r.path.startswith(prefix + "/")]


def _console_line(entries: list[ConsoleEntry]) -> str | None:
    for entry in entries:
        if entry.text.startswith("Access to fetch at "):
            return entry.text
    for entry in entries:
        if entry.level == "error" and entry.text.startswith("Failed to load resource: net::"):
            return entry.text
    return None


def _arrived(received: str | None, name: str, sent: str) -> bool:
    """Whether a script-set header reached the server. Chromium's network stack re-serialises a
    Range header it can parse (`bytes = 0-1` arrives as `bytes=0-1`): that is not a drop."""
    if received is None:
        return False
    if name.lower() == "range":
        return received.replace(" ", "") == sent.replace(" ", "")
    return received == sent


def chromium_fetch(
    browser: Browser,
    url: str,
    method: str,
    headers: Iterable[tuple[str, str]],
    credentials: bool,
    body: str | None,
) -> tuple[dict[str, Any], str | None]:
    """Run one fetch() on the current page; (what the script saw, Chromium's console line)."""
    mark = browser.console_mark()
    expression = FETCH % {
        "method": json.dumps(method),
        "headers": json.dumps([list(pair) for pair in headers]),
        "credentials": json.dumps("include" if credentials else "same-origin"),
        "body": json.dumps(body),
        "url": json.dumps(url),
    }
    outcome: dict[str, Any] = browser.evaluate(expression)
    console: str | None = None
    if not outcome["resolved"]:
        deadline = time.monotonic() + 2.0
        while console is None and time.monotonic() < deadline:
            console = _console_line(browser.console_since(mark))
            if console is None:
                time.sleep(0.01)
        if console is not None and console.startswith("Failed to load resource"):
            time.sleep(0.05)  # a CORS line may follow the network line
            console = _console_line(browser.console_since(mark))
    return outcome, console


def run_in_chromium(
    browser: Browser, server: ScriptedServer, place: Place, scenario: Scenario
) -> ChromiumResult:
    outcome, console = chromium_fetch(
        browser,
        place.url(scenario),
        scenario.method,
        scenario.headers,
        scenario.credentials,
        scenario.body,
    )
    seen = _under(server.received, scenario)
    first = next((r for r in seen if r.header("Access-Control-Request-Method") is None), None)
    lost = (
        tuple(n.lower() for n, v in scenario.headers if not _arrived(first.header(n), n, v))
        if first is not None
        else ()
    )
    return ChromiumResult(
        resolved=bool(outcome["resolved"]),
        status=outcome["status"],
        readable=tuple(outcome["readable"]),
        error=outcome["error"],
        console=console,
        preflight_sent=any(r.header("Access-Control-Request-Method") is not None for r in seen),
        actual_sent=any(r.header("Access-Control-Request-Method") is None for r in seen),
        received=tuple(f"{r.method} {r.path}" for r in seen),
        lost=lost,
    )


def check_arguments(
    url: str,
    origin: str,
    method: str,
    headers: Iterable[tuple[str, str]],
    credentials: bool,
    body: str | None,
) -> list[str]:
    """`cors-probe check` for the same fetch(), with consent, as JSON."""
    args = ["check", url, "--origin", origin, "-X", method]
    for name, value in headers:
        args += ["-H", f"{name}: {value}"]
    if credentials:
        args.append("--credentials")
    if body is not None:
        args += ["--data", body]
    return [*args, "--yes", "--format", "json", "--timeout", "10"]


def probe_arguments(place: Place, scenario: Scenario) -> list[str]:
    return check_arguments(
        place.url(scenario),
        place.origin,
        scenario.method,
        scenario.headers,
        scenario.credentials,
        scenario.body,
    )


def run_in_probe(
    command: list[str], env: dict[str, str], place: Place, scenario: Scenario
) -> ProbeResult:
    return run_check(command, env, probe_arguments(place, scenario))


def run_check(command: list[str], env: dict[str, str], arguments: list[str]) -> ProbeResult:
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
    errors = [f for f in document["findings"] if f["severity"] == "error"]
    return ProbeResult(
        exit_code=completed.returncode,
        verdict=document["verdict"],
        preflight_required=document["preflight"]["required"],
        chrome=errors[0]["browser"]["chrome"] if errors else None,
        decisive=document["decisive"],
        readable=tuple(name.lower() for name in document["actual"]["readable_headers"]),
        codes=tuple(f["code"] for f in document["findings"]),
        dropped=tuple(
            f["header"].lower()
            for f in document["findings"]
            if f["code"] in ("forbidden-header", "user-agent-dropped")
        ),
        stderr=completed.stderr,
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
    browser: Browser,
    scenarios: Iterable[Scenario],
    command: list[str],
    env: dict[str, str],
    progress: Callable[[str], None] | None = None,
    jobs: int = 4,
) -> list[Comparison]:
    """Chromium first, every scenario in turn on one page; then cors-probe, a few at a time."""
    chosen = list(scenarios)
    with servers() as (page, api, place):
        for scenario in chosen:
            install(api, place, scenario)
        browser.navigate(page.url("/"))
        chromium: dict[str, ChromiumResult] = {}
        for scenario in chosen:
            chromium[scenario.name] = run_in_chromium(browser, api, place, scenario)
            if progress is not None:
                progress(scenario.name)
        api.clear()
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            probed = list(pool.map(lambda s: run_in_probe(command, env, place, s), chosen))
    return [
        Comparison(scenario, chromium[scenario.name], probe)
        for scenario, probe in zip(chosen, probed, strict=True)
    ]
