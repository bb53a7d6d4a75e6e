"""Chromium and cors-probe on the same real middleware, shape by shape (see test_middleware.py)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from tests.browser.cdp import Browser
from tests.browser.middleware.apps import MiddlewareApp, running
from tests.browser.proxy import RecordingProxy
from tests.browser.referee import PAGE_HTML, check_arguments, chromium_fetch, run_check
from tests.conftest import _clean_env, cli_command
from tests.servers import Reply, ScriptedServer

JSON = (("Content-Type", "application/json"),)


@dataclass(frozen=True)
class Shape:
    name: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    credentials: bool = False
    body: str | None = None


SHAPES = (
    Shape("get", "GET", "/api/items"),
    Shape("get-credentials", "GET", "/api/items", credentials=True),
    Shape("json-post", "POST", "/api/items", JSON, body="{}"),
    Shape("json-put-credentials", "PUT", "/api/items/1", JSON, credentials=True, body="{}"),
    Shape("delete", "DELETE", "/api/items/1"),
    Shape("error-500", "GET", "/api/fail"),
    Shape("x-requested-with", "GET", "/api/items", (("X-Requested-With", "XMLHttpRequest"),)),
)


@dataclass(frozen=True)
class Result:
    shape: Shape
    chromium_ok: bool
    chromium_preflight: bool
    chromium_actual: bool
    console: str | None
    verdict: str | None
    preflight_required: bool | None
    chrome: str | None
    codes: tuple[str, ...]
    stderr: str
    app: str = ""

    @property
    def agrees(self) -> bool:
        verdict = self.verdict == ("allowed" if self.chromium_ok else "blocked")
        preflight = self.preflight_required == self.chromium_preflight
        console = self.chromium_ok or self.chrome == self.console
        return verdict and preflight and console


@contextmanager
def page_server() -> Iterator[ScriptedServer]:
    server = ScriptedServer().start()
    server.route("/", get=Reply(200, [("Content-Type", "text/html")], body=PAGE_HTML))
    server.route("/favicon.ico", get=Reply(204))
    try:
        yield server
    finally:
        server.close()


def judge(app: MiddlewareApp, chromium: Browser, page: ScriptedServer) -> list[Result]:
    origin = page.base_url
    with running(app, origin) as base:
        proxy = RecordingProxy(int(base.rsplit(":", 1)[1])).start()
        try:
            chromium.navigate(page.url("/"))
            observed = []
            for shape in SHAPES:
                target = f"{shape.path}?shape={shape.name}"
                url = f"http://localhost:{proxy.port}{target}"
                outcome, console = chromium_fetch(
                    chromium, url, shape.method, shape.headers, shape.credentials, shape.body
                )
                seen = proxy.under(target)
                observed.append((shape, url, outcome, console, seen))
            arguments = [
                check_arguments(
                    url, origin, shape.method, shape.headers, shape.credentials, shape.body
                )
                for shape, url, *_ in observed
            ]
            with ThreadPoolExecutor(max_workers=4) as pool:
                probed = list(
                    pool.map(lambda a: run_check(cli_command(), _clean_env(), a), arguments)
                )
        finally:
            proxy.close()
    return [
        Result(
            shape=shape,
            chromium_ok=bool(outcome["resolved"]),
            chromium_preflight=any(s.preflight for s in seen),
            chromium_actual=any(not s.preflight for s in seen),
            console=console,
            verdict=probe.verdict,
            preflight_required=probe.preflight_required,
            chrome=probe.chrome,
            codes=probe.codes,
            stderr=probe.stderr,
        )
        for (shape, _, outcome, console, seen), probe in zip(observed, probed, strict=True)
    ]
