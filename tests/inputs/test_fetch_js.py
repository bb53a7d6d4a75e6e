"""DevTools' "Copy as fetch" and "Copy as Node.js fetch" -> the request it holds
(inputs/fetch_js.py), in the shapes of devtools-frontend NetworkLogView.ts generateFetchCall and
Firefox's RequestListContextMenu.js generateFetchString (tests/inputs/devtools_shapes.py)."""

from __future__ import annotations

import pytest

from cors_probe.errors import UsageError
from cors_probe.inputs.capture import derive
from cors_probe.inputs.fetch_js import parse_fetch
from tests.inputs import devtools_shapes as shapes
from tests.inputs.test_curl import HOSTILE

URL = "http://127.0.0.1:5000/api/items?q=a%26b"
PAGE = "http://127.0.0.1:4000"
CAPTURED = [
    ("Accept", "*/*"),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("Content-Type", "application/json"),
    ("Cookie", "sid=s3cr3t"),
    ("Origin", PAGE),
    ("Referer", PAGE + "/page"),
    ("Sec-Fetch-Mode", "cors"),
    ("User-Agent", "Mozilla/5.0 Chrome/156.0.0.0"),
]


@pytest.mark.parametrize("value", HOSTILE)
def test_chrome_fetch_round_trips(value: str) -> None:
    text = shapes.chrome_fetch(URL, "PUT", [*CAPTURED, ("X-Value", value)], value or None)
    captured = parse_fetch(text)
    assert (captured.url, captured.method, captured.source) == (URL, "PUT", "fetch")
    assert captured.headers == (
        ("accept", "*/*"),
        ("accept-language", "en-US,en;q=0.9"),
        ("content-type", "application/json"),
        ("x-value", value),
    )
    assert captured.body == (value.encode("utf-8") if value else None)
    assert (captured.credentials, captured.mode, captured.referrer) == (
        "include",
        "cors",
        PAGE + "/page",
    )
    assert captured.engine == "chrome"


def test_node_fetch_carries_cookie_and_referer_as_headers() -> None:
    captured = parse_fetch(shapes.chrome_fetch(URL, "POST", CAPTURED, "{}", node=True))
    assert captured.source == "node-fetch"
    assert ("cookie", "sid=s3cr3t") in captured.headers
    assert ("Referer", PAGE + "/page") in captured.headers
    options, derivation = derive(captured)
    assert (options.origin, derivation.origin_from) == (PAGE, "Referer")
    assert (options.credentials, derivation.credentials_from, options.cookie) == (
        True,
        "Cookie",
        "sid=s3cr3t",
    )


@pytest.mark.parametrize("value", HOSTILE)
def test_firefox_fetch_round_trips(value: str) -> None:
    agent = ("User-Agent", "Mozilla/5.0 Firefox/153.0")
    headers = [agent, *(h for h in CAPTURED if h[0] != "User-Agent"), ("X-Value", value)]
    captured = parse_fetch(shapes.firefox_fetch(URL, "PATCH", headers, value))
    assert (captured.method, captured.source, captured.engine) == ("PATCH", "fetch", "firefox")
    assert ("X-Value", value) in captured.headers
    assert ("Sec-Fetch-Mode", "cors") in captured.headers  # Firefox keeps what is not forbidden
    assert captured.body == value.encode("utf-8")


LITERALS = [
    pytest.param("fetch(`http://a.test/`);", "url", "http://a.test/", id="template URL"),
    pytest.param(
        "await fetch('http://a.test/')", "url", "http://a.test/", id="single quotes, no ;"
    ),
    pytest.param(
        'fetch("http://a.test/", {"headers": [["X-A", "1"], ["X-A", "2"]]});',
        "headers",
        (("X-A", "1"), ("X-A", "2")),
        id="headers as pairs",
    ),
    pytest.param(
        "fetch('http://a.test/', {headers: {'X-A': 'caf\\u00e9 \\x41\\'s \\ud83d\\ude00'}})",
        "headers",
        (("X-A", "café A's 😀"),),
        id="JS escapes and bare keys",
    ),
    pytest.param(
        'fetch("http://a.test/", {"body": "", "method": "POST"});',
        "body",
        b"",
        id="empty body",
    ),
    pytest.param(
        '// Originally called from the page\nawait fetch("http://a.test/", {\n'
        '  "headers": {\n    // "cookie": "a=1",\n    "x-a": "1"\n  }\n});',
        "headers",
        (("x-a", "1"),),
        id="the console's edit-and-resend form with comments",
    ),
]


@pytest.mark.parametrize(("text", "field", "value"), LITERALS)
def test_literals(text: str, field: str, value: object) -> None:
    assert getattr(parse_fetch(text), field) == value


MISTAKES = [
    pytest.param("fetch(url);", "'url' is not a literal", id="a variable"),
    pytest.param(
        'fetch("http://a.test/", {body: JSON.stringify({a: 1})});',
        "JSON.stringify",
        id="a call",
    ),
    pytest.param("fetch(`http://a.test/${id}`);", "substitution", id="a template substitution"),
    pytest.param('fetch("http://a.test/", {signal: null});', "'signal'", id="an unknown option"),
    pytest.param("fetch('http://a.test/', {'headers': {');", "line 1", id="a syntax error"),
    pytest.param('axios.get("http://a.test/");', "not a fetch", id="not fetch"),
    pytest.param('fetch("a"); fetch("b");', "only a single fetch", id="two calls"),
    pytest.param("fetch(1);", "URL as a string", id="a number URL"),
    pytest.param('fetch("http://a.test/", {[k]: 1});', "not a literal", id="a computed key"),
    pytest.param('fetch("http://a.test/", {"body": 1});', "must be a string", id="a number body"),
]


@pytest.mark.parametrize(("text", "message"), MISTAKES)
def test_mistakes_are_one_usage_error(text: str, message: str) -> None:
    with pytest.raises(UsageError, match="(?i)" + message.replace("(", "\\(").replace("$", "\\$")):
        parse_fetch(text)
