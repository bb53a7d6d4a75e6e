"""Real CORS middleware judged by each engine and by cors-probe, request shape by request shape.

Each app (tests/browser/middleware/apps.py) runs behind a recording relay, with the page's origin
as its allowed origin. For every shape, the engine (Chromium, Firefox, WebKit) runs the fetch()
first, then `cors-probe check --browser X` is pointed at the same URL; verdict, preflight and every
console line must agree. Every shape has its own query string, so the engine's preflight cache
cannot answer for another shape.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.browser.conftest import Engines
from tests.browser.engines import NAMES
from tests.browser.middleware.apps import APPS, MiddlewareApp
from tests.browser.middleware.referee import judge, page_server
from tests.servers import ScriptedServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page() -> Iterator[ScriptedServer]:
    with page_server() as server:
        yield server


@pytest.mark.parametrize("app", APPS, ids=[a.name for a in APPS])
@pytest.mark.parametrize("engine", NAMES)
def test_middleware_verdicts_agree_with_each_engine(
    engine: str, app: MiddlewareApp, engines: Engines, page: ScriptedServer
) -> None:
    reason = app.available()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{app.name}: {reason}")
        pytest.skip(f"{app.name}: {reason}")
    for result in judge(app, engines.get(engine), page):
        where = f"{engine} {app.name} {result.shape.name}: codes {result.codes}"
        assert result.verdict == ("allowed" if result.engine_ok else "blocked"), where
        assert result.preflight_required == result.engine_preflight, where
        if not result.engine_ok:
            assert result.console, where
            assert result.predicted == result.console, where


def test_the_classic_mistakes_are_caught(engines: Engines, page: ScriptedServer) -> None:
    """What each mistake configuration exists to show, as both Chromium and cors-probe see it."""
    expected = {
        ("flask-cors/allow-headers-authorization-only", "json-post"): "header-not-allowed",
        ("starlette/wildcard-credentials", "get-credentials"): None,  # Starlette echoes the origin
        ("starlette/get-only", "delete"): "preflight-not-ok",
        ("django-cors-headers/headers-without-content-type", "json-post"): "header-not-allowed",
        ("express-cors/hand-written-joined", "get"): "acao-multiple",
        ("nginx/without-always", "error-500"): "acao-missing",
        ("nginx/wildcard-credentials", "get-credentials"): "wildcard-with-credentials",
    }
    apps = {a.name: a for a in APPS}
    for (name, shape_name), decisive in expected.items():
        app = apps[name]
        if app.available() is not None and os.environ.get("CI") != "true":
            continue
        (result,) = [
            r for r in judge(app, engines.get("chrome"), page) if r.shape.name == shape_name
        ]
        assert result.engine_ok is (decisive is None), (name, shape_name)
        if decisive is not None:
            assert decisive in result.codes, (name, shape_name, result.codes)
