"""The cookie referee: which cookies an engine keeps from a credentialed cross-site fetch and
sends back on the next one, against what cors-probe predicts for that engine.

The Scenario shape (one fetch, one verdict) cannot say "the first fetch sets cookies, was each
sent on the second?", so this family has its own table and run. The page is
http://127.0.0.1:<page port>, the API http://localhost:<api port>: two sites, both potentially
trustworthy (so Secure cookies may be set over http). The API answers `/c/set` with every
`Set-Cookie` of `COOKIES` (CORS allowing credentials), and `/c/read` records the Cookie header.

Each engine runs with its default cookie policy, in an instance of its own:
- Chromium with `profile.cookie_controls_mode` 1, a default desktop Chrome's setting (third-party
  cookies blocked in Incognito only). The referee's unbranded headless Chromium on a fresh
  profile blocks them (reason `UserPreferences`), as Chrome does for a user who turned them off.
- Firefox with `network.cookie.cookieBehavior` 5 (Total Cookie Protection), its default; the
  CORS referee's profile (firefox.py) uses 0.
- WebKitGTK as the driver starts it (ITP off; its default accept policy: no third-party).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.browser import cdp, firefox, webkit
from tests.browser.engines import Chromium, Engine
from tests.browser.referee import check_arguments, engine_fetch, run_check, servers
from tests.servers import Reply

COOKIES: tuple[tuple[str, str], ...] = (
    ("none_secure", "SameSite=None; Secure; Path=/"),
    ("none_insecure", "SameSite=None; Path=/"),
    ("lax", "SameSite=Lax; Path=/"),
    ("strict", "SameSite=Strict; Path=/"),
    ("unspecified", "Path=/"),
    ("unspecified_secure", "Secure; Path=/"),
    ("bogus_samesite", "SameSite=Sometimes; Secure; Path=/"),
    ("partitioned", "SameSite=None; Secure; Partitioned; Path=/"),
    ("partitioned_insecure", "SameSite=None; Partitioned; Path=/"),
    ("strict_partitioned", "SameSite=Strict; Secure; Partitioned; Path=/"),
    ("__Host-ok", "SameSite=None; Secure; Path=/"),
    ("__Host-path", "SameSite=None; Secure; Path=/c"),
    ("__Host-insecure", "SameSite=Lax; Path=/"),
    ("__Secure-ok", "SameSite=None; Secure; Path=/"),
    ("__Secure-none_insecure", "SameSite=None; Path=/"),
    ("domain_other", "Domain=example.com; SameSite=None; Secure; Path=/"),
    ("domain_self", "Domain=localhost; SameSite=None; Secure; Path=/"),
)
"""(name, attributes): every fate and every rejection cors-probe models that loopback can show
(a Secure cookie from a URL that is not trustworthy cannot: both hosts are loopback)."""

CHROME_DEFAULT: dict[str, Any] = {"profile": {"cookie_controls_mode": 2}}
FIREFOX_DEFAULT: dict[str, bool | int | str] = {"network.cookie.cookieBehavior": 5}
CHROME_BLOCKING: dict[str, Any] = {"profile": {"cookie_controls_mode": 1}}
"""Chrome for a user who blocks third-party cookies (kBlockThirdParty; Incognito's rule too)."""


@contextlib.contextmanager
def default_engine(
    name: str, executable: str, chrome: dict[str, Any] = CHROME_DEFAULT
) -> Iterator[Engine]:
    """The engine with its default cookie policy (see the module's docstring); `chrome`:
    Chromium's profile preferences."""
    if name == "chrome":
        with cdp.browser(executable, chrome) as browser:
            yield Chromium(browser)
    elif name == "firefox":
        with firefox.firefox(executable, FIREFOX_DEFAULT) as instance:
            yield instance
    else:
        with webkit.webkit(executable) as instance:
            yield instance


@dataclass(frozen=True)
class CookieRun:
    """One engine against cors-probe on the same server."""

    engine: str
    version: str
    sent: frozenset[str]
    """Cookie names the engine sent on the second fetch."""
    console: tuple[str, ...]
    """Every console line the engine printed for the first fetch."""
    predicted_sent: frozenset[str]
    """Names cors-probe says come back: no finding, or `cookie-partitioned`."""
    predicted_console: tuple[str, ...]
    """cors-probe's console lines for the engine, over its cookie findings, in order."""
    codes: dict[str, str]
    """name -> the cookie finding's code (`sent` when none)."""
    verdict: str | None
    first_party_sent: frozenset[str] = frozenset()
    """Names (as in `COOKIES`) sent on a credentialed cross-site fetch after the same cookies
    were set first-party, by visiting the API's URL (a login page, say)."""


NOT_SENT = frozenset(
    {
        "cookie-rejected",
        "cookie-not-sent-cross-site",
        "third-party-cookies-blocked",
        "cookie-ignored-without-credentials",
    }
)


def first_party_name(name: str) -> str:
    """The name of the copy set first-party: `fp_` after any prefix (`__Host-fp_ok`)."""
    for prefix in ("__Host-", "__Secure-"):
        if name.startswith(prefix):
            return prefix + "fp_" + name[len(prefix) :]
    return "fp_" + name


def _names(header: str | None) -> frozenset[str]:
    if not header:
        return frozenset()
    return frozenset(part.split("=", 1)[0].strip() for part in header.split(";"))


def measure(engine: Engine, command: list[str], env: dict[str, str]) -> CookieRun:
    """Set every cookie with one credentialed fetch, send them back with another; then ask
    cors-probe about the first fetch, as that engine."""
    with servers() as (_page, api, place):
        page_url = f"{place.origin}/"
        credentialed = [
            ("Access-Control-Allow-Origin", place.origin),
            ("Access-Control-Allow-Credentials", "true"),
            ("Vary", "Origin"),
            ("Content-Type", "application/json"),
        ]
        lines = [("Set-Cookie", f"{name}=v; {attributes}") for name, attributes in COOKIES]
        api.route("/c/set", get=Reply(200, credentialed + lines, body=b"{}"))
        api.route("/c/read", get=Reply(200, credentialed, body=b"{}"))
        engine.navigate(page_url)
        mark = engine.console_mark()
        first, _ = engine_fetch(engine, f"{place.api}/c/set", "GET", [], True, None)
        assert first["resolved"], first
        time.sleep(0.3)
        console = tuple(engine.settle(mark, quiet=0.5))
        second, _ = engine_fetch(engine, f"{place.api}/c/read", "GET", [], True, None)
        assert second["resolved"], second
        reads = api.requests_to("/c/read")
        sent = _names(reads[-1].header("Cookie")) if reads else frozenset()
        first_party = [
            ("Set-Cookie", f"{first_party_name(name)}=v; {attributes}")
            for name, attributes in COOKIES
        ]
        html = [("Content-Type", "text/html")]
        api.route("/fp/login", get=Reply(200, html + first_party, body=b"<p>login</p>"))
        engine.navigate(f"{place.api}/fp/login")
        engine.navigate(page_url)
        api.route("/fp/read", get=Reply(200, credentialed, body=b"{}"))
        third, _ = engine_fetch(engine, f"{place.api}/fp/read", "GET", [], True, None)
        assert third["resolved"], third
        reads = api.requests_to("/fp/read")
        arrived = _names(reads[-1].header("Cookie")) if reads else frozenset()
        first_party_sent = frozenset(n for n, _ in COOKIES if first_party_name(n) in arrived)
        arguments = check_arguments(
            f"{place.api}/c/set", place.origin, "GET", [], True, None, engine.name
        )
        probe = run_check(command, env, arguments, engine.name)
    assert probe.document is not None, probe.stderr
    findings = [f for f in probe.document["findings"] if f["header"] == "Set-Cookie"]
    codes = {f["detail"]["name"]: f["code"] for f in findings}
    names = [name for name, _ in COOKIES]
    predicted = frozenset(n for n in names if codes.get(n) not in NOT_SENT)
    lines_predicted = tuple(line for f in findings for line in f["console"][engine.name])
    return CookieRun(
        engine.name,
        engine.version,
        sent,
        console,
        predicted,
        lines_predicted,
        {n: codes.get(n, "sent") for n in names},
        probe.verdict,
        first_party_sent,
    )
