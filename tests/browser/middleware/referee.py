"""An engine and cors-probe on the same real middleware, shape by shape (see test_middleware.py)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from tests.browser.engines import Engine
from tests.browser.middleware.apps import MiddlewareApp, running
from tests.browser.proxy import RecordingProxy
from tests.browser.referee import PAGE_HTML, check_arguments, engine_fetch, run_check
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
    engine_ok: bool
    engine_preflight: bool
    engine_actual: bool
    console: tuple[str, ...]
    """Every console line the engine printed."""
    verdict: str | None
    preflight_required: bool | None
    predicted: tuple[str, ...] | None
    """The engine's lines as cors-probe predicts them for its first error finding."""
    codes: tuple[str, ...]
    stderr: str
    app: str = ""

    @property
    def agrees(self) -> bool:
        verdict = self.verdict == ("allowed" if self.engine_ok else "blocked")
        preflight = self.preflight_required == self.engine_preflight
        console = self.engine_ok or self.predicted == self.console
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


def judge(app: MiddlewareApp, engine: Engine, page: ScriptedServer) -> list[Result]:
    origin = page.base_url
    with running(app, origin) as base:
        proxy = RecordingProxy(int(base.rsplit(":", 1)[1])).start()
        try:
            engine.navigate(page.url("/"))
            observed = []
            for shape in SHAPES:
                target = f"{shape.path}?shape={shape.name}"
                url = f"http://localhost:{proxy.port}{target}"
                outcome, console = engine_fetch(
                    engine, url, shape.method, shape.headers, shape.credentials, shape.body
                )
                seen = proxy.under(target)
                observed.append((shape, url, outcome, console, seen))
            arguments = [
                check_arguments(
                    url,
                    origin,
                    shape.method,
                    shape.headers,
                    shape.credentials,
                    shape.body,
                    engine.name,
                )
                for shape, url, *_ in observed
            ]
            with ThreadPoolExecutor(max_workers=4) as pool:
                probed = list(
                    pool.map(
                        lambda a: run_check(cli_command(), _clean_env(), a, engine.name),
                        arguments,
                    )
                )
        finally:
            proxy.close()
    return [
        Result(
            shape=shape,
            engine_ok=bool(outcome["resolved"]),
            engine_preflight=any(s.preflight for s in seen),
            engine_actual=any(not s.preflight for s in seen),
            console=console,
            verdict=probe.verdict,
            preflight_required=probe.preflight_required,
            predicted=probe.console,
            codes=probe.codes,
            stderr=probe.stderr,
        )
        for (shape, _, outcome, console, seen), probe in zip(observed, probed, strict=True)
    ]
