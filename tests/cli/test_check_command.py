"""`cors-probe check` as a subprocess against scripted servers on 127.0.0.1.

One scenario per finding code at least: the verdict, the exit code, the decisive finding and its
Chrome console line (verbatim), and what the server really received.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pytest

from cors_probe.codes import FindingCode
from tests.cli.test_cache_probe import COVERED as CACHE_PROBE_COVERED
from tests.cli.test_gates_command import COVERED as GATES_COVERED
from tests.conftest import CliResult
from tests.servers import Received, Reply, ScriptedServer

PAGE = "https://app.example"
PREFIX = (
    "Access to fetch at '{url}' from origin 'https://app.example' has been blocked by CORS policy: "
)
PREFIX_REDIRECTED = (
    "Access to fetch at '{url2}' (redirected from '{url}') from origin 'https://app.example' "
    "has been blocked by CORS policy: "
)
PF = "Response to preflight request doesn't pass access control check: "
ACAO_OK = ("Access-Control-Allow-Origin", PAGE)
JSON = ["-H", "Content-Type: application/json", "--data", "{}"]

Routes = Mapping[str, Mapping[str, Reply | Callable[[Received], Reply]]]


@dataclass(frozen=True)
class Scenario:
    name: str
    routes: Routes
    args: Sequence[str]
    exit_code: int
    decisive: FindingCode | None = None
    chrome: str | None = None
    """The decisive finding's Chrome line; {url} is /p on the server, {url2} the second URL."""
    present: Sequence[FindingCode] = ()
    absent: Sequence[FindingCode] = ()
    origin: str | None = PAGE
    methods_received: Sequence[str] | None = None
    """The methods the server received for /p, in order (None: not checked)."""
    second: Routes = field(default_factory=dict)
    """Routes for a second server (another origin); {url2} points at its /q."""


def preflight(*headers: tuple[str, str], status: int = 204) -> Reply:
    return Reply(status, headers)


SCENARIOS = [
    Scenario(
        "allowed-simple-get",
        {"/p": {"get": Reply(200, [ACAO_OK, ("Vary", "Origin")])}},
        [],
        0,
        present=[FindingCode.LOCAL_NETWORK_ACCESS],
        absent=[FindingCode.VARY_ORIGIN_MISSING],
        methods_received=["GET"],
    ),
    Scenario(
        "acao-missing",
        {"/p": {"get": Reply(200, [])}},
        [],
        1,
        FindingCode.ACAO_MISSING,
        PREFIX + "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        present=[FindingCode.REQUEST_REACHED_SERVER],
        methods_received=["GET"],
    ),
    Scenario(
        "acao-mismatch-trailing-slash",
        {"/p": {"get": Reply(200, [("Access-Control-Allow-Origin", PAGE + "/")])}},
        [],
        1,
        FindingCode.ACAO_MISMATCH,
        PREFIX + "The 'Access-Control-Allow-Origin' header has a value 'https://app.example/' "
        "that is not equal to the supplied origin. Have the server send the header with a valid "
        "value.",
    ),
    Scenario(
        "acao-multiple-two-lines",
        {"/p": {"get": Reply(200, [ACAO_OK, ACAO_OK])}},
        [],
        1,
        FindingCode.ACAO_MULTIPLE,
        PREFIX + "The 'Access-Control-Allow-Origin' header contains multiple values "
        "'https://app.example, https://app.example', but only one is allowed. Have the server "
        "send the header with a valid value.",
    ),
    Scenario(
        "acao-invalid-quoted",
        {"/p": {"get": Reply(200, [("Access-Control-Allow-Origin", '"https://app.example"')])}},
        [],
        1,
        FindingCode.ACAO_INVALID,
        PREFIX + "The 'Access-Control-Allow-Origin' header contains the invalid value "
        "'\"https://app.example\"'. Have the server send the header with a valid value.",
    ),
    Scenario(
        "acao-invalid-non-ascii-escaped",
        {"/p": {"get": Reply(200, [("Access-Control-Allow-Origin", "https://app.example\xe9")])}},
        [],
        1,
        FindingCode.ACAO_INVALID,
        PREFIX + "The 'Access-Control-Allow-Origin' header contains the invalid value "
        "'https://app.example\\u00E9'. Have the server send the header with a valid value.",
    ),
    Scenario(
        "wildcard-with-credentials",
        {
            "/p": {
                "get": Reply(
                    200,
                    [
                        ("Access-Control-Allow-Origin", "*"),
                        ("Access-Control-Allow-Credentials", "true"),
                    ],
                )
            }
        },
        ["--credentials"],
        1,
        FindingCode.WILDCARD_WITH_CREDENTIALS,
        PREFIX + "The value of the 'Access-Control-Allow-Origin' header in the response must not "
        "be the wildcard '*' when the request's credentials mode is 'include'.",
        present=[FindingCode.THIRD_PARTY_COOKIES],
    ),
    Scenario(
        "acac-not-true",
        {"/p": {"get": Reply(200, [ACAO_OK, ("Access-Control-Allow-Credentials", "True")])}},
        ["--credentials"],
        1,
        FindingCode.ACAC_NOT_TRUE,
        PREFIX + "The value of the 'Access-Control-Allow-Credentials' header in the response is "
        "'True' which must be 'true' when the request's credentials mode is 'include'.",
    ),
    Scenario(
        "preflight-acao-missing-on-405",
        {"/p": {"options": Reply(405, [("Allow", "GET")])}},
        ["-X", "PUT", "--yes"],
        1,
        FindingCode.ACAO_MISSING,
        PREFIX + PF + "No 'Access-Control-Allow-Origin' header is present on the requested "
        "resource.",
        methods_received=["OPTIONS"],
    ),
    Scenario(
        "preflight-not-ok",
        {"/p": {"options": Reply(404, [ACAO_OK])}},
        ["-X", "DELETE", "--yes"],
        1,
        FindingCode.PREFLIGHT_NOT_OK,
        PREFIX + PF + "It does not have HTTP ok status.",
        methods_received=["OPTIONS"],
    ),
    Scenario(
        "preflight-redirect",
        {"/p": {"options": Reply(301, [ACAO_OK, ("Location", "/p/")])}},
        ["-X", "PUT", "--yes"],
        1,
        FindingCode.PREFLIGHT_REDIRECT,
        PREFIX + PF + "Redirect is not allowed for a preflight request.",
        methods_received=["OPTIONS"],
    ),
    Scenario(
        "preflight-wildcard-with-credentials",
        {
            "/p": {
                "options": preflight(
                    ("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "PUT")
                )
            }
        },
        ["-X", "PUT", "--credentials", "--yes"],
        1,
        FindingCode.WILDCARD_WITH_CREDENTIALS,
        PREFIX + PF + "The value of the 'Access-Control-Allow-Origin' header in the response must "
        "not be the wildcard '*' when the request's credentials mode is 'include'.",
    ),
    Scenario(
        "preflight-acac-missing",
        {"/p": {"options": preflight(ACAO_OK, ("Access-Control-Allow-Methods", "PUT"))}},
        ["-X", "PUT", "--credentials", "--yes"],
        1,
        FindingCode.ACAC_NOT_TRUE,
        PREFIX + PF + "The value of the 'Access-Control-Allow-Credentials' header in the response "
        "is '' which must be 'true' when the request's credentials mode is 'include'.",
    ),
    Scenario(
        "acam-unparsable",
        {"/p": {"options": preflight(ACAO_OK, ("Access-Control-Allow-Methods", "GET POST PUT"))}},
        ["-X", "PUT", "--yes"],
        1,
        FindingCode.ACAM_UNPARSABLE,
        PREFIX + "Cannot parse Access-Control-Allow-Methods response header field in preflight "
        "response.",
    ),
    Scenario(
        "acah-unparsable",
        {"/p": {"options": preflight(ACAO_OK, ("Access-Control-Allow-Headers", '"X-Custom"'))}},
        ["-H", "X-Custom: 1"],
        1,
        FindingCode.ACAH_UNPARSABLE,
        PREFIX + "Cannot parse Access-Control-Allow-Headers response header field in preflight "
        "response.",
    ),
    Scenario(
        "method-not-allowed-patch-case",
        {"/p": {"options": preflight(ACAO_OK, ("Access-Control-Allow-Methods", "GET, PATCH"))}},
        ["-X", "patch", "--yes"],
        1,
        FindingCode.METHOD_NOT_ALLOWED,
        PREFIX + "Method patch is not allowed by Access-Control-Allow-Methods in preflight "
        "response.",
        methods_received=["OPTIONS"],
    ),
    Scenario(
        "header-not-allowed-json",
        {
            "/p": {
                "options": preflight(ACAO_OK, ("Access-Control-Allow-Headers", "x-requested-with"))
            }
        },
        ["-X", "POST", *JSON, "--yes"],
        1,
        FindingCode.HEADER_NOT_ALLOWED,
        PREFIX + "Request header field content-type is not allowed by "
        "Access-Control-Allow-Headers in preflight response.",
        methods_received=["OPTIONS"],
    ),
    Scenario(
        "consent-required",
        {
            "/p": {
                "options": preflight(
                    ACAO_OK,
                    ("Access-Control-Allow-Headers", "content-type"),
                    ("Access-Control-Max-Age", "600"),
                    ("Vary", "Origin"),
                ),
                "post": Reply(200, [ACAO_OK, ("Vary", "Origin")]),
            }
        },
        ["-X", "POST", *JSON],
        4,
        FindingCode.CONSENT_REQUIRED,
        methods_received=["OPTIONS"],
    ),
    Scenario(
        "allowed-json-post-with-yes",
        {
            "/p": {
                "options": preflight(
                    ACAO_OK,
                    ("Access-Control-Allow-Headers", "content-type"),
                    ("Access-Control-Max-Age", "600"),
                    ("Vary", "Origin"),
                ),
                "post": Reply(200, [ACAO_OK, ("Vary", "Origin"), ("X-Request-Id", "42")]),
            }
        },
        ["-X", "POST", *JSON, "--yes"],
        0,
        present=[FindingCode.HEADERS_NOT_EXPOSED],
        absent=[FindingCode.MAX_AGE_MISSING, FindingCode.VARY_ORIGIN_MISSING],
        methods_received=["OPTIONS", "POST"],
    ),
    Scenario(
        "request-reached-server-simple-post",
        {"/p": {"post": Reply(201, [])}},
        ["-X", "POST", "--data", "a=1", "--yes"],
        1,
        FindingCode.ACAO_MISSING,
        PREFIX + "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        present=[FindingCode.REQUEST_REACHED_SERVER],
        methods_received=["POST"],
    ),
    Scenario(
        "error-status-without-cors",
        {
            "/p": {
                "options": preflight(ACAO_OK, ("Access-Control-Allow-Headers", "content-type")),
                "post": Reply(500, []),
            }
        },
        ["-X", "POST", *JSON, "--yes"],
        1,
        FindingCode.ACAO_MISSING,
        PREFIX + "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        present=[FindingCode.ERROR_STATUS_WITHOUT_CORS, FindingCode.MAX_AGE_MISSING],
    ),
    Scenario(
        "null-origin-reflected-with-credentials",
        {
            "/p": {
                "get": Reply(
                    200,
                    [
                        ("Access-Control-Allow-Origin", "null"),
                        ("Access-Control-Allow-Credentials", "true"),
                    ],
                )
            }
        },
        ["--credentials"],
        0,
        present=[FindingCode.ORIGIN_REFLECTED_WITH_CREDENTIALS],
        origin="null",
    ),
    Scenario(
        "fetch-metadata-refusal",
        {"/p": {"get": Reply(403, [("Content-Type", "text/plain")])}},
        [],
        1,
        FindingCode.ACAO_MISSING,
        PREFIX + "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        present=[FindingCode.FETCH_METADATA_REFUSAL, FindingCode.ERROR_STATUS_WITHOUT_CORS],
    ),
    Scenario(
        "warnings-vary-wildcard-acac-max-age-capped",
        {
            "/p": {
                "options": preflight(
                    ACAO_OK,
                    ("Access-Control-Allow-Methods", "PUT"),
                    ("Access-Control-Max-Age", "86400"),
                ),
                "put": Reply(200, [ACAO_OK]),
            }
        },
        ["-X", "PUT", "--yes"],
        0,
        present=[FindingCode.VARY_ORIGIN_MISSING, FindingCode.MAX_AGE_CAPPED],
        methods_received=["OPTIONS", "PUT"],
    ),
    Scenario(
        "wildcard-with-acac-and-max-age-invalid",
        {
            "/p": {
                "options": preflight(
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Credentials", "true"),
                    ("Access-Control-Allow-Methods", "*"),
                    ("Access-Control-Max-Age", "abc"),
                ),
                "delete": Reply(204, [("Access-Control-Allow-Origin", "*")]),
            }
        },
        ["-X", "DELETE", "--yes"],
        0,
        present=[FindingCode.WILDCARD_WITH_ACAC, FindingCode.MAX_AGE_INVALID],
    ),
    Scenario(
        "authorization-wildcard",
        {
            "/p": {
                "options": preflight(
                    ACAO_OK,
                    ("Access-Control-Allow-Headers", "*"),
                    ("Access-Control-Max-Age", "60"),
                    ("Vary", "Origin"),
                ),
                "get": Reply(200, [ACAO_OK, ("Vary", "Origin")]),
            }
        },
        ["-H", "Authorization: Bearer s3cret"],
        0,
        present=[FindingCode.AUTHORIZATION_WILDCARD],
    ),
    Scenario(
        "forbidden-method",
        {"/p": {"any": Reply(200, [ACAO_OK])}},
        ["-X", "TRACE"],
        1,
        FindingCode.FORBIDDEN_METHOD,
        "TypeError: Failed to execute 'fetch' on 'Window': 'TRACE' HTTP method is unsupported.",
        methods_received=[],
    ),
    Scenario(
        "body-not-allowed",
        {"/p": {"any": Reply(200, [ACAO_OK])}},
        ["--data", "x"],
        1,
        FindingCode.BODY_NOT_ALLOWED,
        "TypeError: Failed to execute 'fetch' on 'Window': Request with GET/HEAD method cannot "
        "have body.",
        methods_received=[],
    ),
    Scenario(
        "forbidden-header-and-user-agent-and-client-hint",
        {"/p": {"get": Reply(200, [ACAO_OK, ("Vary", "Origin")])}},
        ["-H", "Cookie: a=b", "-H", "User-Agent: mine", "-H", "DPR: 2"],
        0,
        present=[
            FindingCode.FORBIDDEN_HEADER,
            FindingCode.USER_AGENT_DROPPED,
            FindingCode.CHROMIUM_ONLY_SAFELISTED,
        ],
        methods_received=["GET"],
    ),
    Scenario(
        "third-party-origin",
        {"/p": {"get": Reply(200, [])}},
        [],
        1,
        FindingCode.ACAO_MISSING,
        "Access to fetch at '{url}' from origin 'https://third-party.example' has been blocked "
        "by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested "
        "resource.",
        present=[FindingCode.THIRD_PARTY_ORIGIN],
        origin=None,
    ),
    Scenario(
        "opaque-origin-null-allowed",
        {"/p": {"get": Reply(200, [("Access-Control-Allow-Origin", "null")])}},
        [],
        0,
        present=[FindingCode.OPAQUE_ORIGIN],
        origin="null",
    ),
    Scenario(
        "redirect-userinfo",
        {"/p": {"get": Reply(302, [ACAO_OK, ("Location", "http://u:p@127.0.0.1:1/x")])}},
        [],
        1,
        FindingCode.REDIRECT_USERINFO,
        PREFIX + "Redirect location '' contains a username and password, which is disallowed "
        "for cross-origin requests.",
    ),
    Scenario(
        "redirect-scheme-ftp",
        {"/p": {"get": Reply(302, [ACAO_OK, ("Location", "ftp://127.0.0.1/x")])}},
        [],
        1,
        FindingCode.REDIRECT_SCHEME,
        "Access to fetch at 'ftp://127.0.0.1/x' (redirected from '{url}') from origin "
        "'https://app.example' has been blocked by CORS policy: "
        "Cross origin requests are only supported for protocol schemes: chrome, "
        "chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, "
        "http, https, isolated-app.",
    ),
    Scenario(
        "redirect-scheme-data",
        {"/p": {"get": Reply(302, [ACAO_OK, ("Location", "data:text/plain,hi")])}},
        [],
        1,
        FindingCode.REDIRECT_SCHEME,
        "Failed to load resource: net::ERR_UNSAFE_REDIRECT",
    ),
    Scenario(
        "too-many-redirects",
        {"/p": {"get": Reply(302, [ACAO_OK, ("Location", "/p")])}},
        [],
        1,
        FindingCode.TOO_MANY_REDIRECTS,
        "Failed to load resource: net::ERR_TOO_MANY_REDIRECTS",
        methods_received=["GET"] * 21,
    ),
    Scenario(
        "redirect-tainted-origin",
        {"/p": {"get": Reply(302, [ACAO_OK, ("Location", "{url2}")])}},
        [],
        1,
        FindingCode.ACAO_MISMATCH,
        PREFIX_REDIRECTED + "The 'Access-Control-Allow-Origin' header has a value "
        "'https://app.example' that is not equal to the supplied origin. Have the server send "
        "the header with a valid value.",
        present=[FindingCode.REDIRECT_TAINTED_ORIGIN],
        second={"/q": {"get": Reply(200, [ACAO_OK])}},
    ),
    Scenario(
        "redirect-cross-origin-allowed-with-null",
        {"/p": {"get": Reply(307, [ACAO_OK, ("Location", "{url2}")])}},
        [],
        0,
        present=[FindingCode.REDIRECT_TAINTED_ORIGIN],
        second={"/q": {"get": Reply(200, [("Access-Control-Allow-Origin", "null")])}},
    ),
    Scenario(
        "redirect-hop-without-acao",
        {"/p": {"get": Reply(302, [("Location", "{url2}")])}},
        [],
        1,
        FindingCode.ACAO_MISSING,
        PREFIX + "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        second={"/q": {"get": Reply(200, [("Access-Control-Allow-Origin", "*")])}},
    ),
    # --- cookies a response sets (policy/cookies.py; tests/cli/test_cookies.py has the rest) ---
    *(
        Scenario(
            f"cookie-{code.value}",
            {
                "/p": {
                    "get": Reply(
                        200,
                        [
                            ACAO_OK,
                            ("Access-Control-Allow-Credentials", "true"),
                            ("Set-Cookie", line),
                        ],
                    )
                }
            },
            ["--credentials", *browser],
            0,
            present=[code],
        )
        for code, line, browser in (
            (FindingCode.COOKIE_REJECTED, "s=1; SameSite=None", ()),
            (FindingCode.COOKIE_NOT_SENT_CROSS_SITE, "s=1; SameSite=Strict", ()),
            (FindingCode.COOKIE_PARTITIONED, "s=1; SameSite=None; Secure; Partitioned", ()),
            (FindingCode.COOKIE_SAMESITE_INVALID, "s=1; SameSite=yes", ()),
        )
    ),
    Scenario(  # an http page: Safari blocks an https page's http loopback URL (mixed content)
        "cookie-third-party-cookies-blocked",
        {
            "/p": {
                "get": Reply(
                    200,
                    [
                        ("Access-Control-Allow-Origin", "http://localhost:3000"),
                        ("Access-Control-Allow-Credentials", "true"),
                        ("Set-Cookie", "s=1"),
                    ],
                )
            }
        },
        ["--credentials", "--browser", "safari"],
        0,
        present=[FindingCode.THIRD_PARTY_COOKIES_BLOCKED],
        origin="http://localhost:3000",
    ),
    Scenario(
        "cookie-ignored-without-credentials",
        {"/p": {"get": Reply(200, [("Access-Control-Allow-Origin", "*"), ("Set-Cookie", "s=1")])}},
        [],
        0,
        present=[FindingCode.COOKIE_IGNORED_WITHOUT_CREDENTIALS],
    ),
    # --- request modes, redirect modes, Cross-Origin-Resource-Policy --------------------------
    Scenario(
        "no-cors-opaque-and-a-dropped-header",
        {"/p": {"get": Reply(200, [])}},
        ["--mode", "no-cors", "-H", "X-Api-Key: k"],
        0,
        present=[FindingCode.OPAQUE_RESPONSE, FindingCode.NO_CORS_HEADER_DROPPED],
        methods_received=["GET"],
    ),
    Scenario(
        "no-cors-put",
        {"/p": {"put": Reply(200, [])}},
        ["--mode", "no-cors", "-X", "PUT", "--yes"],
        1,
        FindingCode.NO_CORS_METHOD,
        "TypeError: Failed to execute 'fetch' on 'Window': 'PUT' is unsupported in no-cors mode.",
        methods_received=[],
    ),
    Scenario(
        "no-cors-redirect-error",
        {"/p": {"get": Reply(200, [])}},
        ["--mode", "no-cors", "--redirect", "error"],
        1,
        FindingCode.NO_CORS_REDIRECT_MODE,
        'Fetch API cannot load {url}. Request mode is "no-cors" but the redirect mode is not '
        '"follow".',
        methods_received=[],
    ),
    Scenario(
        "same-origin-mode",
        {"/p": {"get": Reply(200, [ACAO_OK])}},
        ["--mode", "same-origin"],
        1,
        FindingCode.SAME_ORIGIN_MODE,
        'Fetch API cannot load {url}. Request mode is "same-origin" but the URL\'s origin is not '
        f"same as the request origin {PAGE}.",
        methods_received=[],
    ),
    Scenario(
        "corp-blocked",
        {"/p": {"get": Reply(200, [("Cross-Origin-Resource-Policy", "same-origin")])}},
        ["--mode", "no-cors"],
        1,
        FindingCode.CORP_BLOCKED,
        "Failed to load resource: net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin",
        absent=[FindingCode.OPAQUE_RESPONSE],
    ),
    Scenario(
        "redirect-mode-error",
        {"/p": {"get": Reply(302, [ACAO_OK, ("Location", "/q")])}},
        ["--redirect", "error"],
        1,
        FindingCode.REDIRECT_MODE_ERROR,
        "Failed to load resource: net::ERR_FAILED",
        methods_received=["GET"],
    ),
    Scenario(
        "opaque-redirect",
        {"/p": {"get": Reply(307, [ACAO_OK, ("Location", "/q")])}},
        ["--redirect", "manual"],
        0,
        present=[FindingCode.OPAQUE_REDIRECT],
        methods_received=["GET"],
    ),
    Scenario(
        "redirect-changed-method",
        {"/p": {"post": Reply(301, [ACAO_OK, ("Location", "{url2}")])}},
        ["-X", "POST", "--data", "a=1", "--yes"],
        0,
        present=[FindingCode.REDIRECT_CHANGED_METHOD],
        methods_received=["POST"],
        second={"/q": {"get": Reply(200, [("Access-Control-Allow-Origin", "*")])}},
    ),
]


def _install(server: ScriptedServer, routes: Routes, url2: str) -> None:
    for path, by_method in routes.items():
        handlers = {
            method: (
                Reply(h.status, [(n, v.replace("{url2}", url2)) for n, v in h.headers], h.body)
                if isinstance(h, Reply)
                else h
            )
            for method, h in by_method.items()
        }
        server.route(path, **handlers)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(
    scenario: Scenario,
    server: ScriptedServer,
    server_factory: Callable[[], ScriptedServer],
    run_cli: Callable[..., CliResult],
) -> None:
    url = server.url("/p")
    url2 = ""
    if scenario.second:
        other = server_factory()
        url2 = other.url("/q").replace("127.0.0.1", "localhost")
        _install(other, scenario.second, url2)
    _install(server, scenario.routes, url2)
    origin = ["--origin", scenario.origin] if scenario.origin is not None else []
    result = run_cli("check", "--no-cache-probe", url, *origin, *scenario.args, "--format", "json")
    result.assert_no_traceback()
    assert result.returncode == scenario.exit_code, result.stdout + result.stderr
    document = result.json()
    codes = [f["code"] for f in document["findings"]]
    assert document["decisive"] == (scenario.decisive.value if scenario.decisive else None)
    if scenario.decisive is not None:
        decisive = next(f for f in document["findings"] if f["code"] == scenario.decisive.value)
        if scenario.chrome is not None:
            errors = [f for f in document["findings"] if f["severity"] == "error"]
            assert errors[0] is decisive or errors[0] == decisive
            assert decisive["browser"]["chrome"] == scenario.chrome.format(url=url, url2=url2)
    for code in scenario.present:
        assert code.value in codes
    for code in scenario.absent:
        assert code.value not in codes
    if scenario.methods_received is not None:
        assert [r.method for r in server.requests_to("/p")] == list(scenario.methods_received)


def test_every_finding_code_is_covered_end_to_end() -> None:
    covered = {s.decisive for s in SCENARIOS} | {c for s in SCENARIOS for c in s.present}
    covered |= {FindingCode.UNREACHABLE, FindingCode.URL_CREDENTIALS, FindingCode.SAME_ORIGIN}
    covered |= CACHE_PROBE_COVERED  # the cache section's codes: tests/cli/test_cache_probe.py
    covered |= GATES_COVERED  # the gates before any request: test_gates_command.py
    assert set(FindingCode) - covered == set()


def test_preflight_is_exactly_what_a_browser_sends(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route(
        "/p",
        options=preflight(
            ACAO_OK,
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "*"),
        ),
    )
    result = run_cli(
        "check",
        "--no-cache-probe",
        server.url("/p"),
        "--origin",
        PAGE,
        "-X",
        "put",
        "-H",
        "X-B: 1",
        "-H",
        "Content-Type: application/json",
        "-H",
        "x-a: 2",
        "-H",
        "Accept: text/html",
        "-H",
        "Authorization: Bearer t",
    )
    assert result.returncode == 4, result.stderr
    (options,) = server.requests_to("/p")
    assert options.method == "OPTIONS"
    assert options.header("Access-Control-Request-Method") == "PUT"
    assert options.header("Access-Control-Request-Headers") == (
        "authorization,content-type,x-a,x-b"
    )
    assert options.header("Origin") == PAGE
    assert options.header("Accept") == "*/*"
    assert options.header("Authorization") is None
    assert options.header("Cookie") is None
    assert options.body == b""


def test_unreachable_server_exits_3_naming_the_cause(
    run_cli: Callable[..., CliResult],
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_cli("check", f"http://127.0.0.1:{port}/x", "--origin", PAGE, "--format", "json")
    result.assert_no_traceback()
    assert result.returncode == 3
    document = result.json()
    assert document["verdict"] == "unreachable"
    assert document["findings"][-1]["detail"]["kind"] == "refused"
    assert "refused" in result.stderr
    # Firefox's same request would be refused alike: not "it would send GET ..., which Chrome
    # did not" about the request Chrome did try (Safari does differ: it blocks an http loopback
    # URL from an https page before sending, mixed content, as measured)
    contrasts = {c["browser"]: c for c in document["contrasts"]}
    assert set(contrasts) == {"safari"}
    assert (contrasts["safari"]["verdict"], contrasts["safari"]["decisive"]) == (
        "blocked",
        "mixed-content",
    )
    text = run_cli("check", f"http://127.0.0.1:{port}/x", "--origin", PAGE)
    assert text.returncode == 3
    assert "which Chrome did not" not in text.stdout


def test_url_with_credentials_is_refused_by_fetch(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    url = server.url("/p").replace("http://", "http://u:p@")
    result = run_cli("check", url, "--origin", PAGE, "--format", "json")
    assert result.returncode == 1
    document = result.json()
    assert document["decisive"] == "url-credentials"
    assert document["findings"][0]["browser"]["chrome"] == (
        "TypeError: Failed to execute 'fetch' on 'Window': Request cannot be constructed from a "
        f"URL that includes credentials: {url}"
    )
    assert server.received == []


def test_same_origin_needs_no_cors(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route("/p", put=Reply(200, []))
    result = run_cli(
        "check",
        server.url("/p"),
        "--origin",
        server.base_url,
        "-X",
        "PUT",
        "-H",
        "X-Custom: 1",
        "--yes",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stdout
    document = result.json()
    assert document["preflight"]["required"] is False
    assert "same-origin" in [f["code"] for f in document["findings"]]
    assert [r.method for r in server.requests_to("/p")] == ["PUT"]


def test_secrets_are_masked_unless_asked(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route("/p", get=Reply(200, [ACAO_OK, ("Vary", "Origin")]))
    args = [
        "check",
        server.url("/p"),
        "--origin",
        PAGE,
        "-H",
        "X-Api-Key: s3cr3t-key",
        "-H",
        "Authorization: Bearer s3cr3t-token",
    ]
    server.route(
        "/p",
        options=preflight(ACAO_OK, ("Access-Control-Allow-Headers", "x-api-key, authorization")),
        get=Reply(200, [ACAO_OK, ("Vary", "Origin")]),
    )
    for fmt in ("json", "text"):
        masked = run_cli(*args, "--format", fmt)
        assert masked.returncode == 0, masked.stdout
        assert "s3cr3t" not in masked.stdout
        assert "Bearer ****" in masked.stdout
    shown = run_cli(*args, "--format", "json", "--show-secrets")
    assert "s3cr3t-token" in shown.stdout
    received = server.requests_to("/p")[-1]
    assert received.header("X-Api-Key") == "s3cr3t-key"


def test_dry_run_sends_nothing(server: ScriptedServer, run_cli: Callable[..., CliResult]) -> None:
    result = run_cli("check", server.url("/p"), "--origin", PAGE, "-X", "DELETE", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "OPTIONS" in result.stdout
    assert "Access-Control-Request-Method: DELETE" in result.stdout
    assert server.received == []


def test_text_report_shows_verdict_triggers_and_fix(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route("/p", options=preflight(ACAO_OK, ("Access-Control-Allow-Headers", "x-other")))
    result = run_cli(
        "check",
        server.url("/p"),
        "--origin",
        PAGE,
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "-H",
        "X-Api-Key: abc",
        "--data",
        "{}",
        "--yes",
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("✘ BLOCKED in Chrome at the preflight")
    assert "application/json" in result.stdout
    assert "Request header field content-type is not allowed" in result.stdout
    assert "\x1b[" not in result.stdout  # NO_COLOR and not a terminal: no escape codes


def test_server_strings_are_not_rich_markup(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route(
        "/p",
        get=Reply(
            200, [("Access-Control-Allow-Origin", "[bold]x[/bold]"), ("X-Note", "[red]hi[/]")]
        ),
    )
    result = run_cli("check", server.url("/p"), "--origin", PAGE)
    assert result.returncode == 1
    assert "[bold]x[/bold]" in result.stdout
    assert "[red]hi[/]" in result.stdout


def test_slow_server_times_out_with_exit_3(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route("/p", get=Reply(200, [ACAO_OK], delay=1.5))
    result = run_cli("check", server.url("/p"), "--origin", PAGE, "--timeout", "0.3")
    result.assert_no_traceback()
    assert result.returncode == 3
    assert "timed out" in result.stderr


@pytest.mark.parametrize(
    "raw", [b"", b"garbage\r\n\r\n"], ids=["closes-without-answer", "not-http"]
)
def test_broken_server_exits_3(
    raw: bytes, server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route("/p", get=Reply(raw=raw))
    result = run_cli("check", server.url("/p"), "--origin", PAGE, "--format", "json")
    result.assert_no_traceback()
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stderr.startswith(f"cors-probe: error: could not reach {server.url('/p')}: ")
    assert result.stderr.count("\n") == 1
    document = result.json()
    assert (document["verdict"], document["decisive"]) == ("unreachable", "unreachable")
    (finding,) = [f for f in document["findings"] if f["code"] == "unreachable"]
    assert finding["detail"]["kind"] == "protocol"


def test_large_body_is_capped_not_buffered(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route("/p", get=Reply(200, [ACAO_OK, ("Vary", "Origin")], body_size=50 * 1024 * 1024))
    result = run_cli("check", server.url("/p"), "--origin", PAGE, "--format", "json")
    assert result.returncode == 0
    response = result.json()["exchanges"][-1]["response"]
    assert response["body_truncated"] is True
    assert response["body_bytes"] == 1024 * 1024
