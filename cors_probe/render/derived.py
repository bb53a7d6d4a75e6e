"""How a captured request became the checked one (`Report.derived`), in words and as JSON.

Shown before the rest of the report, so the reader can tell what was assumed: where the page's
origin came from, why the request is credentialed, which captured headers were left out as the
browser's (and why) and which flags replaced what was derived. Header values are masked like any
request header unless --show-secrets (render/mask.py). Standard library only: the JSON renderer
uses it too.
"""

from __future__ import annotations

from typing import Any

from cors_probe.model import Derivation, Headers, Report, RequestShape
from cors_probe.render.mask import masked_pairs

SOURCES = {
    "curl": "the cURL command",
    "curl-cmd": "the cURL (cmd) command",
    "powershell": "the PowerShell command",
    "fetch": "the fetch call",
    "node-fetch": "the Node.js fetch call",
    "har": "the HAR entry",
}
ORIGIN_FROM = {
    "Origin": "from Origin",
    "Referer": "from Referer",
    "referrer": "from fetch's referrer",
    "flag": "from --origin",
}
CREDENTIALS_FROM = {
    "Cookie": "a Cookie was captured",
    "credentials": "fetch's credentials option",
    "flag": "--credentials",
    "preflight": "inferred: not sent after a preflight that passes only without credentials",
}
ENGINES = {"chrome": "Chrome", "firefox": "Firefox", "safari": "Safari"}
OPTIONS = {"chrome": "chromium", "firefox": "firefox", "safari": "safari"}
"""Each engine's report key -> its --browser name (policy/browsers.py)."""
REASONS = {
    "forbidden": "forbidden",
    "sec": "sec",
    "client-hint": "client hint",
    "engine-default": "engine default",
    "cookie": "the cookie jar's",
    "capture-tool": "DevTools' disable cache",
    "other-origin": "captured for another origin",
}
"""The words for each `DroppedHeader.reason` code (policy/capture.py)."""


def derived_line(report: Report) -> str:
    """One paragraph: `From the cURL command (captured by Chrome): origin O (from Origin), method
    PUT, credentials include (a Cookie was captured); left out as browser-added: Sec-Fetch-Mode
    (sec), ...; replaced by flags: --origin.`"""
    derived = report.derived
    assert derived is not None  # only called for a derived report
    line = shape_line(derived, report.shape)
    if derived.engine in OPTIONS and derived.engine != report.browser and not report.others:
        line += (
            f". Judged as {ENGINES.get(report.browser, report.browser)}; "
            f"--browser {OPTIONS[derived.engine]} for {ENGINES[derived.engine]}'s verdict"
        )
    return line + "."


def shape_line(derived: Derivation, shape: RequestShape) -> str:
    """derived_line's words for `shape` read as `derived` says, without a report (a request
    whose verdict the capture cannot tell), without the final full stop."""
    source = SOURCES.get(derived.source, derived.source)
    engine = f" (captured by {ENGINES[derived.engine]})" if derived.engine in ENGINES else ""
    if derived.origin_from is None:
        origin = "origin: none captured, probing as an unrelated third-party site"
    else:
        origin = f"origin {shape.origin.serialise()} ({ORIGIN_FROM[derived.origin_from]})"
    credentials = "credentials same-origin"
    if shape.credentials:
        why = CREDENTIALS_FROM.get(derived.credentials_from or "", "")
        credentials = f"credentials include ({why})" if why else "credentials include"
    parts = [f"From {source}{engine}: {origin}", f"method {shape.method}", credentials]
    line = ", ".join(parts)
    added = [d for d in derived.dropped if d.reason != "other-origin"]
    if added:
        dropped = ", ".join(f"{d.name} ({REASONS.get(d.reason, d.reason)})" for d in added)
        line += f"; left out as browser-added: {dropped}"
    secrets = [d.name for d in derived.dropped if d.reason == "other-origin"]
    if secrets:
        line += (
            "; not sent to the URL given (another origin than the captured one): "
            f"{', '.join(secrets)} (give --cookie / -H to send them there)"
        )
    if derived.overridden:
        line += f"; replaced by flags: {', '.join(derived.overridden)}"
    return line


def derived_dict(derived: Derivation | None, show_secrets: bool) -> dict[str, Any] | None:
    """The JSON `derived` object: source, origin_from, credentials_from, dropped [{name, value,
    reason}] (values masked unless `show_secrets`), overridden, engine; None when not derived."""
    if derived is None:
        return None
    pairs = masked_pairs(Headers(tuple((d.name, d.value) for d in derived.dropped)), show_secrets)
    return {
        "source": derived.source,
        "engine": derived.engine,
        "origin_from": derived.origin_from,
        "credentials_from": derived.credentials_from,
        "dropped": [
            {"name": name, "value": value, "reason": d.reason}
            for (name, value), d in zip(pairs, derived.dropped, strict=True)
        ],
        "overridden": list(derived.overridden),
    }
