"""DevTools' "Copy as cURL" (bash, cmd) and "Copy as PowerShell" -> the request it holds
(inputs/curl.py, inputs/shell_words.py, inputs/powershell.py).

The shapes come from the generators (tests/inputs/devtools_shapes.py ports them, citing
devtools-frontend NetworkLogView.ts generateCurlCommand / generatePowerShellCommand and Firefox's
curl.js Curl.generateCommand / powershell.js PowerShell.generateCommand): every hostile value is
written by the generator and must come back as it was, except where the generator itself loses
it (said in the row).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cors_probe.errors import UsageError
from cors_probe.inputs.curl import parse_curl
from cors_probe.inputs.shell_words import ansi_c
from tests.inputs import devtools_shapes as shapes

Generator = Callable[..., str]
URL = "http://127.0.0.1:5000/api/items/1?x=1&y=%41"
HOSTILE = [
    pytest.param("plain value", id="plain"),
    pytest.param("it's", id="single-quote"),
    pytest.param('say "hi"', id="double-quote"),
    pytest.param("100% ^up^ !bang! %PATH% & | < > ( )", id="cmd-metacharacters"),
    pytest.param("tab\there, bell\x07, del\x7f", id="controls"),
    pytest.param("line 1\nline 2\n", id="newlines"),
    pytest.param("naïve café ✓", id="non-ascii"),
    pytest.param("emoji 😀 and é", id="astral"),
    pytest.param("$HOME `uname` $(id) \\n", id="shell-expansions-as-text"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    ("generate", "engine"),
    [
        pytest.param(shapes.chrome_curl, "chrome", id="chrome-bash"),
        pytest.param(shapes.firefox_curl, "firefox", id="firefox-bash"),
    ],
)
def test_posix_shapes_round_trip(generate: Generator, engine: str, value: str) -> None:
    agent = {"chrome": "Mozilla/5.0 Chrome/156.0.0.0", "firefox": "Mozilla/5.0 Firefox/153.0"}
    headers = [
        ("User-Agent", agent[engine]),
        ("X-Value", value or "x"),
        ("Content-Type", "text/plain"),
    ]
    text = generate(URL, "PUT", headers, value)
    captured = parse_curl(text)
    assert captured.url == URL
    assert captured.method == "PUT"
    assert ("X-Value", value or "x") in captured.headers
    expected_body = value.encode("utf-8") if value else None  # no --data-raw for an empty body
    assert captured.body == expected_body
    assert (captured.source, captured.engine) == ("curl", engine)


CMD_SAFE = [
    p
    for p in HOSTILE
    if p.id not in ("non-ascii", "astral", "shell-expansions-as-text", "controls")
]


@pytest.mark.parametrize("value", CMD_SAFE)
@pytest.mark.parametrize(
    ("generate", "platform"),
    [
        pytest.param(shapes.chrome_curl, "win", id="chrome-cmd"),
        pytest.param(shapes.firefox_curl, "WINNT", id="firefox-cmd"),
    ],
)
def test_cmd_shapes_round_trip(generate: Generator, platform: str, value: str) -> None:
    text = generate(URL, "PATCH", [("X-Value", value or "x")], value, platform)
    captured = parse_curl(text)
    assert (captured.url, captured.method, captured.source) == (URL, "PATCH", "curl-cmd")
    assert ("X-Value", value or "x") in captured.headers
    assert captured.body == (value.encode("utf-8") if value else None)


CMD_LOSSES = [
    pytest.param(
        "a\\b",
        "a\\\\b",
        id="escapeStringWin doubles a backslash; the C runtime keeps both unless before a quote",
    ),
    pytest.param('a\\"b', 'a\\"b', id="a backslash before a quote survives"),
    pytest.param("café", "caf ", id="chrome's escapeStringWin writes a space for non-ASCII"),
    pytest.param("a\r\nb", "a\nb", id="a CRLF becomes one line break"),
]


@pytest.mark.parametrize(("value", "received"), CMD_LOSSES)
def test_what_chrome_cmd_shape_hands_curl(value: str, received: str) -> None:
    """What cmd.exe and curl.exe make of Chrome's cmd copy: the generator's own losses."""
    captured = parse_curl(shapes.chrome_curl(URL, "POST", [], value, "win"))
    assert captured.body == received.encode("utf-8")


@pytest.mark.parametrize("value", HOSTILE)
def test_powershell_shape_round_trips(value: str) -> None:
    headers = [
        ("Accept", "*/*"),
        ("User-Agent", "Mozilla/5.0 Chrome/156.0.0.0"),
        ("X-Value", value),
        ("Content-Type", "text/plain;charset=UTF-8"),
    ]
    text = shapes.chrome_powershell(URL, "POST", headers, value, (("sid", "s3cr3t"), ("b", "2")))
    captured = parse_curl(text)
    assert (captured.url, captured.method, captured.source) == (URL, "POST", "powershell")
    assert captured.body == (value.encode("utf-8") if value else None)
    assert captured.headers == (
        ("User-Agent", "Mozilla/5.0 Chrome/156.0.0.0"),
        ("Accept", "*/*"),
        ("Content-Type", "text/plain;charset=UTF-8"),  # from -ContentType, back in name order
        ("X-Value", value),
        ("Cookie", "sid=s3cr3t; b=2"),
    )
    assert captured.engine == "chrome"


FIREFOX_POWERSHELL = """$session = New-Object Microsoft.PowerShell.Commands.WebRequestSession
$session.Cookies.Add((New-Object System.Net.Cookie("sid", "s`$3", "/", "127.0.0.1")))
Invoke-WebRequest -UseBasicParsing -Uri "http://127.0.0.1:5000/a" `
-Method "DELETE" `
-WebSession $session `
-UserAgent "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0" `
-Headers @{
"Accept" = "*/*"
  "X-Token" = "a`"b$([char]233)"
}"""


def test_firefox_powershell_shape() -> None:
    """devtools/client/netmonitor/src/utils/powershell.js: -UserAgent, `name = value` entries."""
    captured = parse_curl(FIREFOX_POWERSHELL)
    assert captured.method == "DELETE"
    assert captured.headers == (
        ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"),
        ("Accept", "*/*"),
        ("X-Token", 'a"bé'),
        ("Cookie", "sid=s$3"),
    )
    assert (captured.engine, captured.body) == ("firefox", None)


OPTIONS = [
    pytest.param("curl 'http://a.test/'", "GET", (), None, id="bare URL"),
    pytest.param("curl -I 'http://a.test/'", "HEAD", (), None, id="-I is HEAD (Firefox)"),
    pytest.param("curl -XPUT http://a.test/", "PUT", (), None, id="-X value attached"),
    pytest.param("curl -sSL -X PUT http://a.test/", "PUT", (), None, id="bundled flags"),
    pytest.param(
        "curl http://a.test/ -d a=1 -d b=2", "POST", (), b"a=1&b=2", id="several -d joined with &"
    ),
    pytest.param("curl http://a.test/ --data-raw ''", "POST", (), b"", id="empty --data-raw"),
    pytest.param(
        "curl http://a.test/ --data-raw '@me'", "POST", (), b"@me", id="--data-raw @ literal"
    ),
    pytest.param(
        "curl http://a.test/ --data-urlencode 'q=a b&c'",
        "POST",
        (),
        b"q=a+b%26c",
        id="--data-urlencode",
    ),
    pytest.param(
        "curl http://a.test/ --json '{}'",
        "POST",
        (("Content-Type", "application/json"), ("Accept", "application/json")),
        b"{}",
        id="--json",
    ),
    pytest.param(
        "curl -u ann:pw http://a.test/",
        "GET",
        (("Authorization", "Basic YW5uOnB3"),),
        None,
        id="-u: curl's Basic Authorization",
    ),
    pytest.param(
        "curl http://a.test/ -H 'X-Empty;' -H 'X-Removed:' -H 'Accept:  a '",
        "GET",
        (("X-Empty", ""), ("Accept", "a")),
        None,
        id="-H Name; is empty, Name: removes, values trimmed (Fetch's normalize)",
    ),
    pytest.param(
        "curl http://a.test/ -b 'a=1' --cookie 'b=2' -e 'http://p.test/x' -A 'ua/1'",
        "GET",
        (
            ("Cookie", "a=1"),
            ("Cookie", "b=2"),
            ("Referer", "http://p.test/x"),
            ("User-Agent", "ua/1"),
        ),
        None,
        id="-b, -e, -A",
    ),
    pytest.param(
        "curl 'http://a.test/' \\\n  --compressed \\\n  --insecure \\\n  -H 'A: b'",
        "GET",
        (("A", "b"),),
        None,
        id="line continuations, --compressed, --insecure",
    ),
    pytest.param(
        "curl -G http://a.test/p?x=1 -d y=2", "GET", (), None, id="-G puts the data in the query"
    ),
    pytest.param(
        "curl http://a.test/ -H 'X-Note: Invoke-WebRequest'",
        "GET",
        (("X-Note", "Invoke-WebRequest"),),
        None,
        id="a curl command mentioning PowerShell is curl",
    ),
]


@pytest.mark.parametrize(("text", "method", "headers", "body"), OPTIONS)
def test_curl_options(
    text: str, method: str, headers: tuple[tuple[str, str], ...], body: bytes | None
) -> None:
    captured = parse_curl(text)
    assert (captured.method, captured.headers, captured.body) == (method, headers, body)


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("curl --url 'http://a.test/a\\[1\\]'", "http://a.test/a[1]"),  # Chrome escapes globs
        ("curl 'http://a.test/a[1]' --globoff", "http://a.test/a[1]"),  # Firefox turns them off
        ("curl -G http://a.test/p?x=1 -d y=2", "http://a.test/p?x=1&y=2"),
    ],
)
def test_urls(text: str, url: str) -> None:
    assert parse_curl(text).url == url


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        ("it\\'s", b"it's"),
        ("a\\nb\\r\\t", b"a\nb\r\t"),
        ("\\u0021\\041\\x21", b"!!!"),
        ("caf\\xe9", b"caf\xe9"),  # one byte, as bash writes it
        ("\\u00e9\\U0001F600", "é😀".encode()),
        ("\\ud83d\\ude00", "😀".encode()),  # a UTF-16 pair (Firefox escapes code units)
        ("\\cA\\e\\q\\", b"\x01\x1b\\q\\"),
    ],
)
def test_ansi_c_strings(inner: str, expected: bytes) -> None:
    """bash's ANSI-C quoting (the bash manual, "ANSI-C Quoting")."""
    assert ansi_c(inner) == expected


MISTAKES = [
    pytest.param("curl 'http://a.test/", "line 1, column", id="unterminated quote"),
    pytest.param("wget http://a.test/", "not a curl command", id="not curl"),
    pytest.param(
        "curl http://a.test/ --frobnicate", "unknown curl option --frobnicate", id="unknown option"
    ),
    pytest.param("curl http://a.test/ -Z", "unknown curl option -Z", id="unknown short option"),
    pytest.param("curl http://a.test/ -H", "needs a value", id="option without value"),
    pytest.param("curl -H 'A: b'", "has no URL", id="no URL"),
    pytest.param("curl http://a.test/ http://b.test/", "two URLs", id="two URLs"),
    pytest.param('curl http://a.test/ -H "X: $HOME"', "expansion", id="an expansion"),
    pytest.param("curl $(echo http://a.test/)", "expansion", id="a command substitution"),
    pytest.param("curl http://a.test/ | jq .", "one curl command", id="a pipe"),
    pytest.param("curl http://a.test/ ;\ncurl http://b.test/", "one curl command", id="copy all"),
    pytest.param("curl http://a.test/ -b cookies.txt", "cookie file", id="-b FILE"),
    pytest.param("curl http://a.test/ -d @body.json", "reads a file", id="-d @FILE"),
    pytest.param("curl http://a.test/ -F a=1", "multipart", id="-F"),
    pytest.param("curl http://a.test/ -H 'NoColon'", "no colon", id="header without colon"),
    pytest.param(
        'curl.exe ^"http://a.test/^" & whoami', "one curl command", id="cmd: a second command"
    ),
    pytest.param(
        'curl ^"http://a.test/^" ^\n  -H ^"a: b^"\ncurl x', "one curl command", id="cmd: two lines"
    ),
    pytest.param(
        'Invoke-WebRequest -Uri "http://a.test/$env:USER"', "expansion", id="powershell: a variable"
    ),
    pytest.param(
        'Invoke-WebRequest -Uri "http://a.test/" -OutFile x',
        "-outfile",
        id="powershell: a parameter",
    ),
    pytest.param('Invoke-WebRequest -Method "GET"', "no -Uri", id="powershell: no -Uri"),
    pytest.param('Invoke-WebRequest -Uri "http://a.test/', "line 1", id="powershell: unterminated"),
]


@pytest.mark.parametrize(("text", "message"), MISTAKES)
def test_mistakes_are_one_usage_error(text: str, message: str) -> None:
    with pytest.raises(UsageError, match="(?i)" + message.replace("$", "\\$").replace("(", "\\(")):
        parse_curl(text)
