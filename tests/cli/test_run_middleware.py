"""`cors-probe run` against real CORS middleware: the policy a team would write, kept or broken.

The apps (Flask + flask-cors, Starlette, nginx) are those the browser referee measured Chromium
against (tests/browser/middleware); here the policy file states what the team expects of them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.browser.middleware.apps import APPS, MiddlewareApp, running
from tests.conftest import CliResult

APP_ORIGIN = "https://app.example.com"
POLICY = """base_url = "${API}"

[origins]
app = "https://app.example.com"
evil = "https://evil.example"

[[check]]
name = "the app reads items with cookies"
path = "/api/items"
origin = "app"
credentials = true
expect = "allowed"
forbid = ["wildcard-with-credentials"]

[[check]]
name = "the app updates an item"
path = "/api/items/1"
origin = "app"
method = "PUT"
headers = ["Content-Type: application/json"]
body = '{"name": "x"}'
allow_side_effects = true
expect = "allowed"

[[check]]
name = "no one else may"
path = "/api/items"
origins = ["evil", "null"]
credentials = true
expect = "blocked"
"""


def _app(name: str) -> MiddlewareApp:
    app = next(a for a in APPS if a.name == name)
    reason = app.available()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{app.name}: {reason}")
        pytest.skip(f"{app.name}: {reason}")
    return app


# (app, exit code, {(check name, origin name): (status, decisive finding or first problem)} for
# the checks that do not pass)
Failures = dict[tuple[str, str], tuple[str, str]]
CASES: list[tuple[str, int, Failures]] = [
    ("flask-cors/allow-list-credentials", 0, {}),
    ("starlette/allow-list-credentials", 0, {}),
    ("nginx/correct", 0, {}),
    (
        "starlette/get-only",  # no allow_credentials; PUT refused with a 400 preflight
        1,
        {
            ("the app reads items with cookies", "app"): ("failed", "acac-not-true"),
            ("the app updates an item", "app"): ("failed", "preflight-not-ok"),
        },
    ),
    (
        "flask-cors/wildcard-credentials",  # "*" with credentials: flask-cors echoes any origin
        1,
        {
            ("no one else may", "evil"): ("failed", "expected blocked, got allowed"),
            ("no one else may", "null"): ("failed", "expected blocked, got allowed"),
        },
    ),
    (
        "nginx/wildcard-credentials",  # a literal "*" beside Allow-Credentials: true
        1,
        {
            ("the app reads items with cookies", "app"): ("failed", "wildcard-with-credentials"),
        },
    ),
]


@pytest.mark.parametrize(("name", "code", "failures"), CASES, ids=[c[0] for c in CASES])
def test_run_judges_real_middleware(
    run_cli: Callable[..., CliResult],
    tmp_path: Path,
    name: str,
    code: int,
    failures: Failures,
) -> None:
    app = _app(name)
    (tmp_path / "cors-probe.toml").write_text(POLICY, encoding="utf-8")
    with running(app, APP_ORIGIN) as base:
        result = run_cli("run", "--format", "json", env={"API": base}, cwd=tmp_path)
    result.assert_no_traceback()
    assert result.returncode == code, result.stdout + result.stderr
    document = result.json()
    assert document["summary"]["total"] == 4
    failed = {
        (c["name"], c["origin_name"]): (
            c["status"],
            c["decisive"]
            if c["got"] != c["expect"] and c["expect"] == "allowed"
            else c["problems"][0],
        )
        for c in document["checks"]
        if c["status"] != "passed"
    }
    assert failed == failures
