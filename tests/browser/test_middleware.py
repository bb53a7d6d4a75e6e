"""Real CORS middleware judged by Chromium and by cors-probe, request shape by request shape.

Each app (tests/browser/middleware/apps.py) runs behind a recording relay, with the page's origin
as its allowed origin. For every shape, Chromium runs the fetch() first, then `cors-probe check`
is pointed at the same URL; verdict, preflight and the console line must agree. Every shape has
its own query string, so Chromium's preflight cache cannot answer for another shape.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.browser.cdp import Browser
from tests.browser.middleware.apps import APPS, MiddlewareApp
from tests.browser.middleware.referee import judge, page_server
from tests.servers import ScriptedServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page() -> Iterator[ScriptedServer]:
    with page_server() as server:
        yield server


@pytest.mark.parametrize("app", APPS, ids=[a.name for a in APPS])
def test_middleware_verdicts_agree_with_chromium(
    app: MiddlewareApp, chromium: Browser, page: ScriptedServer
) -> None:
    reason = app.available()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{app.name}: {reason}")
        pytest.skip(f"{app.name}: {reason}")
    for result in judge(app, chromium, page):
        where = f"{app.name} {result.shape.name}: codes {result.codes}"
        assert result.verdict == ("allowed" if result.chromium_ok else "blocked"), where
        assert result.preflight_required == result.chromium_preflight, where
        if not result.chromium_ok:
            assert result.console is not None, where
            assert result.chrome == result.console, where


def test_the_classic_mistakes_are_caught(chromium: Browser, page: ScriptedServer) -> None:
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
        (result,) = [r for r in judge(app, chromium, page) if r.shape.name == shape_name]
        assert result.chromium_ok is (decisive is None), (name, shape_name)
        if decisive is not None:
            assert decisive in result.codes, (name, shape_name, result.codes)
