"""The fix comes from what the real framework answered, not from a guess.

Real Starlette (FastAPI's CORSMiddleware), Flask + flask-cors and Django + django-cors-headers
apps (tests/browser/middleware) are started once per module on loopback; `cors-probe check -f
json` must name the layer that refused and quote the body where the framework says why:

- Starlette refusing a header answers the preflight 400 "Disallowed CORS headers": its
  allow_headers is the fix, not authentication middleware;
- an allow-list holding the page origin with a trailing slash: Starlette says "Disallowed CORS
  origin" (400), flask-cors answers 200 with no CORS header at all: the allow-list is the fix,
  not "OPTIONS is not routed";
- Django's APPEND_SLASH answers POST /api/things with 301 to /api/things/, which the browser
  follows as a GET without the body.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.browser.middleware.apps import APPS, running
from tests.conftest import CliResult

Run = Callable[..., CliResult]
PAGE = "https://app.example.com"
NAMES = (
    "starlette/default-headers",
    "starlette/trailing-slash-origin",
    "flask-cors/trailing-slash-origin",
    "django-cors-headers/append-slash",
)
JSON_PUT = ("-X", "PUT", "--yes", "-H", "Content-Type: application/json", "--data", "{}")


@pytest.fixture(scope="module")
def bases() -> Iterator[dict[str, str]]:
    """Each app's base URL, every app started once for the module (stopped by its PID)."""
    with contextlib.ExitStack() as stack:
        started: dict[str, str] = {}
        for app in APPS:
            if app.name not in NAMES:
                continue
            reason = app.available()
            if reason is not None:
                if os.environ.get("CI") == "true":
                    pytest.fail(f"{app.name}: {reason}")
                continue
            started[app.name] = stack.enter_context(running(app, PAGE))
        yield started


def _check(run_cli: Run, bases: dict[str, str], app: str, path: str, *args: str) -> Any:
    if app not in bases:
        pytest.skip(f"{app} cannot run here")
    result = run_cli("check", bases[app] + path, "-o", PAGE, *args, "-f", "json")
    result.assert_no_traceback()
    assert result.returncode in (0, 1), result.stderr
    return result.json()


def _finding(document: Any, code: str) -> Any:
    return next(f for f in document["findings"] if f["code"] == code)


@pytest.mark.parametrize(
    ("app", "args", "code", "refused", "body", "names"),
    [
        (
            "starlette/default-headers",
            ("-H", "X-Api-Key: k"),
            "preflight-not-ok",
            "headers",
            "Disallowed CORS headers",
            ["x-api-key", "allow_headers"],
        ),
        (
            "starlette/trailing-slash-origin",
            JSON_PUT,
            "acao-missing",
            "origin",
            "Disallowed CORS origin",
            [f"'{PAGE}'", "allow_origins", "trailing slash"],
        ),
    ],
)
def test_a_cors_layer_that_says_what_it_refused_is_named(
    app: str,
    args: tuple[str, ...],
    code: str,
    refused: str,
    body: str,
    names: list[str],
    bases: dict[str, str],
    run_cli: Run,
) -> None:
    path = "/api/items/1" if "PUT" in args else "/api/items"
    document = _check(run_cli, bases, app, path, *args)
    assert document["decisive"] == code
    finding = _finding(document, code)
    assert finding["status"] == 400
    assert finding["stage"] == "preflight"
    assert finding["detail"]["diagnosis"] == "cors-layer-refused"
    assert finding["detail"]["refused"] == refused
    assert finding["detail"]["body"] == body
    assert f"The response body says: '{body}'." in finding["message"]
    for name in names:
        assert name in finding["fix"]
    for guess in ("authentication", "Authentication", "not routed"):
        assert guess not in finding["fix"]
    assert finding["header_fixes"] == []  # no header makes a 400 preflight pass


def test_an_origin_missing_from_a_silent_allow_list_is_not_called_unrouted(
    bases: dict[str, str], run_cli: Run
) -> None:
    document = _check(run_cli, bases, "flask-cors/trailing-slash-origin", "/api/items/1", *JSON_PUT)
    finding = _finding(document, "acao-missing")
    assert (finding["stage"], finding["status"]) == ("preflight", 200)
    assert finding["detail"]["diagnosis"] == "no-cors-answer"
    fix = finding["fix"]
    assert fix.index("allow-list") < fix.index("no CORS layer")
    assert "trailing slash" in fix
    assert "not routed" not in fix
    assert [(h["name"], h["value"]) for h in finding["header_fixes"]] == [
        ("Access-Control-Allow-Origin", PAGE)
    ]


def test_a_301_that_turned_the_post_into_a_get_is_told(bases: dict[str, str], run_cli: Run) -> None:
    document = _check(
        run_cli,
        bases,
        "django-cors-headers/append-slash",
        "/api/things",
        "-X",
        "POST",
        "--yes",
        "--data",
        "a=1",
    )
    finding = _finding(document, "redirect-changed-method")
    assert finding["severity"] == "warning"  # the request had a body, and lost it
    assert finding["status"] == 301
    assert finding["detail"]["from_method"] == "POST"
    assert finding["detail"]["to_method"] == "GET"
    assert finding["detail"]["body_dropped"] == "True"
    assert finding["detail"]["location"].endswith("/api/things/")
    assert "307 or 308" in finding["fix"]
    assert finding["detail"]["location"] in finding["fix"]
    methods = [e["request"]["method"] for e in document["exchanges"]]
    assert methods == ["POST", "GET"]
