"""Cookies a credentialed response sets, as a user sees them: `cors-probe check --credentials`
against a real server on loopback (page http://127.0.0.1:3000, API http://localhost:P: two
sites), each engine's findings, no cookie value anywhere in the output."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import CliResult
from tests.servers import Reply, ScriptedServer

Run = Callable[..., CliResult]
PAGE = "http://127.0.0.1:3000"
CRED = [
    ("Access-Control-Allow-Origin", PAGE),
    ("Access-Control-Allow-Credentials", "true"),
    ("Vary", "Origin"),
]
COOKIES = [
    ("Set-Cookie", "session=S3CR3T-session; SameSite=Lax; HttpOnly; Path=/"),
    ("Set-Cookie", "csrf=S3CR3T-csrf; SameSite=None; Path=/"),
    ("Set-Cookie", "pref=S3CR3T-pref; SameSite=None; Secure; Path=/"),
]


def api(server: ScriptedServer) -> str:
    server.route("/me", get=Reply(200, CRED + COOKIES))
    return f"http://localhost:{server.port}/me"


def cookie_findings(result: CliResult) -> list[tuple[str, str, str]]:
    return [
        (f["code"], f["detail"]["name"], f["detail"]["reason"])
        for f in result.json()["findings"]
        if "name" in f["detail"]
    ]


@pytest.mark.parametrize(
    ("browser", "expected"),
    [
        (
            "chromium",
            [
                ("cookie-not-sent-cross-site", "session", "lax"),
                ("cookie-rejected", "csrf", "samesite-none-insecure"),
            ],
        ),
        (
            "firefox",
            [
                ("cookie-not-sent-cross-site", "session", "lax"),
                ("cookie-rejected", "csrf", "samesite-none-insecure"),
                ("cookie-partitioned", "pref", "foreign"),
            ],
        ),
        (
            "safari",
            [
                ("third-party-cookies-blocked", "session", ""),
                ("third-party-cookies-blocked", "csrf", ""),
                ("third-party-cookies-blocked", "pref", ""),
            ],
        ),
    ],
)
def test_each_engine_tells_what_happens_to_each_cookie(
    browser: str, expected: list[tuple[str, str, str]], server: ScriptedServer, run_cli: Run
) -> None:
    url = api(server)
    result = run_cli("check", url, "-o", PAGE, "--credentials", "--browser", browser, "-f", "json")
    result.assert_no_traceback()
    assert result.returncode == 0, result.stderr
    assert result.json()["verdict"] == "allowed"
    assert cookie_findings(result) == expected
    assert "S3CR3T" not in result.stdout + result.stderr


def test_the_text_report_names_the_cookie_and_the_fix_never_its_value(
    server: ScriptedServer, run_cli: Run
) -> None:
    result = run_cli("check", api(server), "-o", PAGE, "--credentials", "--browser", "all")
    result.assert_no_traceback()
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "Cookie `session` is not sent on cross-site requests" in text
    assert "`SameSite=None; Secure`" in text
    assert "Firefox: Cookie “csrf” rejected because it has the “SameSite=None” attribute" in text
    assert "Cookie `pref` is blocked as a third-party cookie" in text
    assert "S3CR3T" not in result.stdout + result.stderr


def test_without_credentials_the_cookies_are_said_to_be_ignored(
    server: ScriptedServer, run_cli: Run
) -> None:
    server.route("/open", get=Reply(200, [("Access-Control-Allow-Origin", "*"), *COOKIES]))
    url = f"http://localhost:{server.port}/open"
    result = run_cli("check", url, "-o", PAGE, "-f", "json")
    assert result.returncode == 0, result.stderr
    assert [c[:2] for c in cookie_findings(result)] == [
        ("cookie-ignored-without-credentials", "session"),
        ("cookie-ignored-without-credentials", "csrf"),
        ("cookie-ignored-without-credentials", "pref"),
    ]
