"""The referee's scenarios: one fetch() from a page, and what the server answers. Data, not code.

Each scenario lives under its own path (`/s/<name>`), so Chromium's preflight cache cannot carry
one scenario's answer into another. Placeholders in header values and Locations:

- `{origin}`: the page's origin (`http://127.0.0.1:<page port>`);
- `{api}`: the API's origin as the page calls it (`http://localhost:<api port>`);
- `{alt}`: the same API server under another origin (`http://127.0.0.1:<api port>`);
- `{base}`: `{api}/s/<name>`, the scenario's own URL (routes below are relative to it).

Tables cross a few variations each (ACAO values x credentials x stage, methods x Allow-Methods...);
the expected outcome is never written here: Chromium, run live, is the referee.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: Pairs = ()
    guard: str | None = None
    """A Fetch Metadata policy in front of the answer (`GUARDS`): a request it refuses gets 403
    with no CORS header, whatever the CORS layer behind it would have said."""


GUARDS = {
    "resource-isolation": "refuse Sec-Fetch-Site: cross-site unless it is a navigation",
    "no-cors-only": "refuse Sec-Fetch-Site: cross-site in no-cors mode; CORS requests pass",
}
"""Fetch Metadata policies (https://web.dev/articles/fetch-metadata), as servers deploy them."""


def refused_by(guard: str, site: str | None, mode: str | None) -> bool:
    """Whether `guard` refuses a request with these Sec-Fetch-Site and -Mode values (absent
    headers: an older browser, let through)."""
    if site is None or site in ("same-origin", "same-site", "none"):
        return False
    if guard == "resource-isolation":
        return mode != "navigate"
    return mode == "no-cors"


@dataclass(frozen=True)
class Scenario:
    name: str
    family: str
    method: str = "GET"
    headers: Pairs = ()
    credentials: bool = False
    body: str | None = None
    routes: dict[str, dict[str, Answer]] = field(default_factory=dict)
    """Relative path ('' is the scenario's URL) -> lower-case method or 'any' -> answer."""
    page_routes: dict[str, dict[str, Answer]] = field(default_factory=dict)
    """Routes on the page's own origin, as `routes`; when given, the fetch starts there
    (`{origin}/s/<name>`): a same-origin request, which a redirect may make cross-origin."""
    mode: str = "cors"
    """fetch()'s `mode`: cors, no-cors or same-origin."""
    redirect: str = "follow"
    """fetch()'s `redirect`: follow, error or manual."""


ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
MAX_AGE = "Access-Control-Max-Age"
ACEH = "Access-Control-Expose-Headers"
JSON_CT = (("Content-Type", "application/json"),)
ECHO = ((ACAO, "{origin}"), ("Vary", "Origin"))
CRED = ((ACAO, "{origin}"), (ACAC, "true"), ("Vary", "Origin"))


def _simple(name: str, family: str, actual: Pairs, credentials: bool = False) -> Scenario:
    return Scenario(
        name, family, credentials=credentials, routes={"": {"get": Answer(200, actual)}}
    )


def _put(
    name: str, family: str, preflight: Answer, actual: Pairs = CRED, credentials: bool = False
) -> Scenario:
    return Scenario(
        name,
        family,
        method="PUT",
        headers=JSON_CT,
        credentials=credentials,
        body="{}",
        routes={"": {"options": preflight, "put": Answer(200, actual)}},
    )


# --- 1. Access-Control-Allow-Origin values, on the actual response and on the preflight ---------
ACAO_VALUES: Sequence[tuple[str, Pairs]] = (
    ("exact", ((ACAO, "{origin}"),)),
    ("missing", ()),
    ("wrong-origin", ((ACAO, "http://127.0.0.1:1"),)),
    ("trailing-slash", ((ACAO, "{origin}/"),)),
    ("upper-case", ((ACAO, "HTTP://127.0.0.1{port_suffix}"),)),
    ("scheme-mismatch", ((ACAO, "https://127.0.0.1{port_suffix}"),)),
    ("port-missing", ((ACAO, "http://127.0.0.1"),)),
    ("host-localhost", ((ACAO, "http://localhost{port_suffix}"),)),
    ("wildcard", ((ACAO, "*"),)),
    ("null", ((ACAO, "null"),)),
    ("two-headers-same", ((ACAO, "{origin}"), (ACAO, "{origin}"))),
    ("two-headers-different", ((ACAO, "{origin}"), (ACAO, "https://admin.example"))),
    ("comma-list", ((ACAO, "{origin}, https://admin.example"),)),
    ("empty", ((ACAO, ""),)),
    ("padded", ((ACAO, "  {origin}  "),)),
    ("with-path", ((ACAO, "{origin}/app"),)),
    ("wildcard-twice", ((ACAO, "*"), (ACAO, "*"))),
    ("quoted", ((ACAO, '"{origin}"'),)),
)

ACAO_FAMILY: list[Scenario] = []
for label, pairs in ACAO_VALUES:
    vary = (("Vary", "Origin"),)
    ACAO_FAMILY.append(_simple(f"acao-get-{label}", "acao", pairs + vary))
    ACAO_FAMILY.append(
        _simple(f"acao-get-credentials-{label}", "acao", (*pairs, (ACAC, "true"), *vary), True)
    )
    ACAO_FAMILY.append(
        _put(
            f"acao-preflight-{label}",
            "acao",
            Answer(204, (*pairs, (ACAM, "PUT"), (ACAH, "content-type"))),
            actual=ECHO,
        )
    )
    ACAO_FAMILY.append(
        _put(
            f"acao-preflight-credentials-{label}",
            "acao",
            Answer(204, (*pairs, (ACAC, "true"), (ACAM, "PUT"), (ACAH, "content-type"))),
            credentials=True,
        )
    )

# --- 2. Credentials: Access-Control-Allow-Credentials -------------------------------------------
ACAC_VALUES: Sequence[tuple[str, Pairs]] = (
    ("missing", ()),
    ("true", ((ACAC, "true"),)),
    ("capital-true", ((ACAC, "True"),)),
    ("false", ((ACAC, "false"),)),
    ("one", ((ACAC, "1"),)),
    ("padded", ((ACAC, " true "),)),
    ("twice", ((ACAC, "true"), (ACAC, "true"))),
    ("empty", ((ACAC, ""),)),
)
CREDENTIALS_FAMILY: list[Scenario] = []
for label, pairs in ACAC_VALUES:
    CREDENTIALS_FAMILY.append(
        _simple(f"acac-get-{label}", "credentials", ((ACAO, "{origin}"), *pairs), True)
    )
    CREDENTIALS_FAMILY.append(
        _put(
            f"acac-preflight-{label}",
            "credentials",
            Answer(204, ((ACAO, "{origin}"), *pairs, (ACAM, "PUT"), (ACAH, "content-type"))),
            credentials=True,
        )
    )
CREDENTIALS_FAMILY += [
    _put(
        "acac-on-preflight-only",
        "credentials",
        Answer(204, (*CRED, (ACAM, "PUT"), (ACAH, "content-type"))),
        actual=ECHO,
        credentials=True,
    ),
    _put(
        "acac-on-actual-only",
        "credentials",
        Answer(204, (*ECHO, (ACAM, "PUT"), (ACAH, "content-type"))),
        actual=CRED,
        credentials=True,
    ),
    _simple(
        "wildcard-with-credentials-and-acac", "credentials", ((ACAO, "*"), (ACAC, "true")), True
    ),
    _simple("wildcard-without-credentials-with-acac", "credentials", ((ACAO, "*"), (ACAC, "true"))),
]

# --- 3. Preflight triggers: the request's headers (a permissive server answers) ------------------
PERMISSIVE_PREFLIGHT = Answer(
    204,
    (
        (ACAO, "{origin}"),
        (ACAM, "GET, POST, PUT, PATCH, DELETE, OPTIONS, PURGE, patch, purge"),
        (
            ACAH,
            "content-type, accept, accept-language, content-language, range, x-api-key, "
            "authorization, x-requested-with",
        ),
        ("Vary", "Origin"),
    ),
)
LONG = "a" * 129
TRIGGER_HEADERS: Sequence[tuple[str, str, Pairs]] = (
    ("none", "GET", ()),
    ("json-post", "POST", JSON_CT),
    ("text-plain", "POST", (("Content-Type", "text/plain"),)),
    ("text-plain-charset", "POST", (("Content-Type", "text/plain;charset=utf-8"),)),
    ("text-plain-upper", "POST", (("Content-Type", "TEXT/PLAIN"),)),
    ("form-urlencoded", "POST", (("Content-Type", "application/x-www-form-urlencoded"),)),
    ("multipart", "POST", (("Content-Type", "multipart/form-data; boundary=x"),)),
    ("text-html", "POST", (("Content-Type", "text/html"),)),
    ("ct-unsafe-byte", "POST", (("Content-Type", 'text/plain; a="{}"'),)),
    ("ct-too-long", "POST", (("Content-Type", "text/plain; x=" + "b" * 120),)),
    ("accept-html", "GET", (("Accept", "text/html"),)),
    ("accept-unsafe-byte", "GET", (("Accept", "text/(html)"),)),
    ("accept-too-long", "GET", (("Accept", LONG),)),
    ("accept-language", "GET", (("Accept-Language", "en-US,en;q=0.9"),)),
    ("accept-language-bad", "GET", (("Accept-Language", "en_US"),)),
    ("content-language", "GET", (("Content-Language", "de-DE"),)),
    ("content-language-bad", "GET", (("Content-Language", "de/DE"),)),
    ("range-single", "GET", (("Range", "bytes=0-99"),)),
    ("range-open", "GET", (("Range", "bytes=100-"),)),
    ("range-multi", "GET", (("Range", "bytes=0-1,5-6"),)),
    ("range-suffix", "GET", (("Range", "bytes=-5"),)),
    ("range-spaces", "GET", (("Range", "bytes = 0-1"),)),
    ("custom-header", "GET", (("X-Api-Key", "abc"),)),
    ("authorization", "GET", (("Authorization", "Bearer t"),)),
    ("x-requested-with", "GET", (("X-Requested-With", "XMLHttpRequest"),)),
    ("two-custom-sorted", "GET", (("X-B", "1"), ("X-A", "2"))),
    ("safelisted-and-custom", "GET", (("Accept", "text/html"), ("X-Api-Key", "abc"))),
    ("forbidden-cookie", "GET", (("Cookie", "a=b"),)),
    ("forbidden-user-agent", "GET", (("User-Agent", "robot"),)),
    ("forbidden-referer", "GET", (("Referer", "http://evil.example/"),)),
)
TRIGGER_FAMILY = [
    Scenario(
        f"trigger-{label}",
        "trigger",
        method=method,
        headers=pairs,
        body="x" if method == "POST" else None,
        routes={"": {"options": PERMISSIVE_PREFLIGHT, "any": Answer(200, ECHO)}},
    )
    for label, method, pairs in TRIGGER_HEADERS
]

# --- 4. Method case and Access-Control-Allow-Methods -----------------------------------------
METHODS = (
    "GET",
    "get",
    "HEAD",
    "POST",
    "post",
    "PUT",
    "put",
    "PATCH",
    "patch",
    "DELETE",
    "delete",
    "OPTIONS",
    "PURGE",
    "purge",
)
ALLOW_METHODS: Sequence[tuple[str, Pairs, bool]] = (
    ("missing", (), False),
    ("upper-list", ((ACAM, "GET, POST, PUT, PATCH, DELETE, OPTIONS, PURGE"),), False),
    ("lower-list", ((ACAM, "get, post, put, patch, delete, options, purge"),), False),
    ("wildcard", ((ACAM, "*"),), False),
    ("wildcard-credentials", ((ACAM, "*"),), True),
)
METHOD_FAMILY: list[Scenario] = []
for method in METHODS:
    for label, pairs, credentials in ALLOW_METHODS:
        base = CRED if credentials else ECHO
        METHOD_FAMILY.append(
            Scenario(
                f"method-{method}-{label}-{'lc' if method.islower() else 'uc'}",
                "method",
                method=method,
                credentials=credentials,
                routes={"": {"options": Answer(204, base + pairs), "any": Answer(200, base)}},
            )
        )

# --- 5. Preflight status, Allow-Headers, unparsable lists, Max-Age -----------------------------
PREFLIGHT_OK = ((ACAO, "{origin}"), (ACAM, "PUT"), (ACAH, "content-type"))
PREFLIGHT_FAMILY: list[Scenario] = [
    _put(f"preflight-status-{status}", "preflight", Answer(status, PREFLIGHT_OK), actual=ECHO)
    for status in (200, 204, 206, 299, 304, 400, 401, 403, 404, 405, 500, 503)
]
PREFLIGHT_FAMILY += [
    Scenario(
        f"preflight-redirect-{status}",
        "preflight",
        method="PUT",
        headers=JSON_CT,
        body="{}",
        routes={
            "": {"options": Answer(status, (*PREFLIGHT_OK, ("Location", "{base}/next")))},
            "/next": {"options": Answer(204, PREFLIGHT_OK), "put": Answer(200, ECHO)},
        },
    )
    for status in (301, 302, 307, 308)
]
ALLOW_HEADERS: Sequence[tuple[str, Pairs, Pairs, bool]] = (
    ("missing", JSON_CT, (), False),
    ("listed", JSON_CT, ((ACAH, "content-type"),), False),
    ("listed-case", JSON_CT, ((ACAH, "Content-Type"),), False),
    ("other-listed", JSON_CT, ((ACAH, "x-other"),), False),
    ("wildcard", JSON_CT, ((ACAH, "*"),), False),
    ("wildcard-credentials", JSON_CT, ((ACAH, "*"),), True),
    ("wildcard-authorization", (("Authorization", "Bearer t"),), ((ACAH, "*"),), False),
    (
        "wildcard-and-authorization",
        (("Authorization", "Bearer t"),),
        ((ACAH, "*, Authorization"),),
        False,
    ),
    (
        "two-headers",
        (*JSON_CT, ("X-Api-Key", "k")),
        ((ACAH, "content-type"), (ACAH, "x-api-key")),
        False,
    ),
    ("one-of-two", (*JSON_CT, ("X-Api-Key", "k")), ((ACAH, "content-type"),), False),
    ("empty-elements", JSON_CT, ((ACAH, "content-type,,"),), False),
    ("unparsable-space", JSON_CT, ((ACAH, "content type"),), False),
    ("unparsable-semicolon", JSON_CT, ((ACAH, "content-type;"),), False),
    ("padded", JSON_CT, ((ACAH, "  content-type  ,  x-a "),), False),
)
for label, request_headers, pairs, credentials in ALLOW_HEADERS:
    base = CRED if credentials else ECHO
    PREFLIGHT_FAMILY.append(
        Scenario(
            f"allow-headers-{label}",
            "allow-headers",
            method="POST",
            headers=request_headers,
            credentials=credentials,
            body="{}",
            routes={"": {"options": Answer(204, base + pairs), "post": Answer(200, base)}},
        )
    )
UNPARSABLE_METHODS = ("PUT;", "PUT GET", "(PUT)", "PUT,,", '"PUT"')
PREFLIGHT_FAMILY += [
    _put(
        f"allow-methods-{label}",
        "preflight",
        Answer(204, ((ACAO, "{origin}"), (ACAM, value), (ACAH, "content-type"))),
        actual=ECHO,
    )
    for label, value in zip(
        ("semicolon", "space", "parenthesis", "empty-elements", "quoted"),
        UNPARSABLE_METHODS,
        strict=True,
    )
]
PREFLIGHT_FAMILY += [
    _put(
        f"max-age-{label}",
        "max-age",
        Answer(204, (*PREFLIGHT_OK, *(((MAX_AGE, value),) if value is not None else ()))),
        actual=ECHO,
    )
    for label, value in (
        ("missing", None),
        ("zero", "0"),
        ("negative", "-1"),
        ("ten-minutes", "600"),
        ("two-hours", "7200"),
        ("a-day", "86400"),
        ("text", "abc"),
    )
]


# --- 6. Redirects of the actual request --------------------------------------------------------
def _redirect(
    name: str,
    status: int,
    location: str,
    target: dict[str, Answer],
    *,
    method: str = "GET",
    first: Pairs = ECHO,
    credentials: bool = False,
    body: str | None = None,
    headers: Pairs = (),
) -> Scenario:
    routes: dict[str, dict[str, Answer]] = {
        "": {
            "options": PERMISSIVE_PREFLIGHT,
            "any": Answer(status, (*first, ("Location", location))),
        }
    }
    if target:
        routes["/next"] = target
    return Scenario(
        name,
        "redirect",
        method=method,
        headers=headers,
        credentials=credentials,
        body=body,
        routes=routes,
    )


NEXT_OK = {"any": Answer(200, ECHO), "options": PERMISSIVE_PREFLIGHT}


def _target(*pairs: tuple[str, str]) -> dict[str, Answer]:
    """A redirect target on the `{alt}` origin: the same answer to the preflight and the request."""
    return {"any": Answer(200, pairs), "options": Answer(204, pairs)}


REDIRECT_FAMILY: list[Scenario] = [
    *(
        _redirect(f"redirect-same-origin-{s}", s, "{base}/next", NEXT_OK)
        for s in (301, 302, 303, 307, 308)
    ),
    _redirect("redirect-relative", 302, "{name}/next", NEXT_OK),
    _redirect(
        "redirect-cross-origin-acao-origin", 302, "{alt}/s/{name}/next", _target((ACAO, "{origin}"))
    ),
    _redirect(
        "redirect-cross-origin-acao-null", 302, "{alt}/s/{name}/next", _target((ACAO, "null"))
    ),
    _redirect(
        "redirect-cross-origin-acao-wildcard", 302, "{alt}/s/{name}/next", _target((ACAO, "*"))
    ),
    _redirect("redirect-cross-origin-no-acao", 302, "{alt}/s/{name}/next", _target()),
    _redirect(
        "redirect-cross-origin-credentials-null",
        302,
        "{alt}/s/{name}/next",
        _target((ACAO, "null"), (ACAC, "true")),
        first=CRED,
        credentials=True,
    ),
    _redirect("redirect-hop-without-acao", 302, "{base}/next", NEXT_OK, first=()),
    _redirect(
        "redirect-hop-wrong-acao", 302, "{base}/next", NEXT_OK, first=((ACAO, "http://x.example"),)
    ),
    _redirect(
        "redirect-userinfo", 302, "http://user:pass@localhost:{api_port}/s/{name}/next", NEXT_OK
    ),
    _redirect("redirect-data-scheme", 302, "data:text/plain,hi", {}),
    _redirect("redirect-ftp-scheme", 302, "ftp://127.0.0.1/file", {}),
    _redirect("redirect-loop", 302, "{base}", {}),
    _redirect("redirect-post-301", 301, "{base}/next", NEXT_OK, method="POST", body="x"),
    _redirect("redirect-post-302", 302, "{base}/next", NEXT_OK, method="POST", body="x"),
    _redirect("redirect-post-303", 303, "{base}/next", NEXT_OK, method="POST", body="x"),
    _redirect("redirect-post-307", 307, "{base}/next", NEXT_OK, method="POST", body="x"),
    _redirect(
        "redirect-put-303", 303, "{base}/next", NEXT_OK, method="PUT", body="x", headers=JSON_CT
    ),
    _redirect(
        "redirect-put-307", 307, "{base}/next", NEXT_OK, method="PUT", body="x", headers=JSON_CT
    ),
    _redirect(
        "redirect-preflighted-cross-origin",
        307,
        "{alt}/s/{name}/next",
        _target((ACAO, "*"), (ACAM, "PUT"), (ACAH, "content-type")),
        method="PUT",
        body="x",
        headers=JSON_CT,
    ),
]
# --- 6b. A redirect's Location as raw bytes (written as Latin-1 text: one character per byte) ---
LOCATION_BYTES: Sequence[tuple[str, str]] = (
    ("utf8", "caf\u00c3\u00a9.pdf"),
    ("cjk", "\u00e4\u00b8\u00ad\u00e6\u0096\u0087"),
    ("emoji", "\u00f0\u009f\u0098\u0080"),
    ("lone-latin1", "caf\u00e9.pdf"),
    ("truncated", "a\u00e4\u00b8b"),
    ("overlong", "a\u00c0\u00afb"),
    ("space", "a b"),
    ("encoded", "caf%C3%A9.pdf"),
    ("mixed", "%C3%A9\u00c3\u00a9"),
    ("query-utf8", "q?x=caf\u00c3\u00a9"),
    ("query-latin1", "q?x=caf\u00e9"),
    ("fragment", "f#caf\u00c3\u00a9"),
)
"""What follows `/next/` in the Location; the target answers every path under `/next/`."""
LOCATION_FAMILY: list[Scenario] = [
    *(
        Scenario(
            f"location-bytes-{label}",
            "location-bytes",
            routes={
                "": {"any": Answer(302, (*ECHO, ("Location", "{base}/next/" + tail)))},
                "/next/*": {"any": Answer(200, ECHO)},
            },
        )
        for label, tail in LOCATION_BYTES
    ),
    *(  # to the other origin, which does not allow it: the console line names the URL
        Scenario(
            f"location-bytes-blocked-{label}",
            "location-bytes",
            routes={
                "": {"any": Answer(302, (*ECHO, ("Location", "{alt}/s/{name}/next/" + tail)))},
                "/next/*": {"any": Answer(200, ())},
            },
        )
        for label, tail in LOCATION_BYTES
        if label in ("utf8", "lone-latin1", "query-utf8")
    ),
]


# --- 6c. Same-origin first, then redirected to the API: CORS (and a preflight) from there on ---
def _same_then_cross(name: str, method: str, headers: Pairs, target: dict[str, Answer]) -> Scenario:
    return Scenario(
        name,
        "same-then-cross",
        method=method,
        headers=headers,
        body=None if method == "GET" else "x",
        page_routes={"": {"any": Answer(307, (("Location", "{base}/next"),))}},
        routes={"/next": target},
    )


OCTET = (("Content-Type", "application/octet-stream"),)
PUT_ALLOWED = {
    "options": Answer(204, ((ACAO, "{origin}"), (ACAM, "PUT"), (ACAH, "content-type"))),
    "any": Answer(200, ECHO),
}
SAME_THEN_CROSS_FAMILY = [
    _same_then_cross("same-then-cross-put-no-preflight-answer", "PUT", OCTET, {}),
    _same_then_cross("same-then-cross-put-allowed", "PUT", OCTET, PUT_ALLOWED),
    _same_then_cross(
        "same-then-cross-put-preflight-no-acao",
        "PUT",
        OCTET,
        {"options": Answer(204, ((ACAM, "PUT"), (ACAH, "content-type"))), "any": Answer(200, ECHO)},
    ),
    _same_then_cross("same-then-cross-get-allowed", "GET", (), {"any": Answer(200, ECHO)}),
    _same_then_cross("same-then-cross-get-no-acao", "GET", (), {"any": Answer(200, ())}),
]


# --- 7. What script can read: Access-Control-Expose-Headers ------------------------------------
EXPOSED_BASE = (
    ("X-Custom", "1"),
    ("X-Other", "2"),
    ("Cache-Control", "no-cache"),
    ("Content-Language", "en"),
    ("Last-Modified", "Tue, 01 Jan 2030 00:00:00 GMT"),
    ("Expires", "0"),
    ("Pragma", "no-cache"),
    ("Set-Cookie", "a=b"),
)
EXPOSE_VALUES: Sequence[tuple[str, str | None, bool]] = (
    ("missing", None, False),
    ("one", "X-Custom", False),
    ("two", "X-Custom, x-other", False),
    ("wildcard", "*", False),
    ("wildcard-credentials", "*", True),
    ("wildcard-and-name-credentials", "*, X-Custom", True),
    ("set-cookie", "Set-Cookie", False),
    ("unparsable", "X-Custom;", False),
    ("content-length", "Content-Length", False),
)
EXPOSE_FAMILY = [
    _simple(
        f"expose-{label}",
        "expose",
        (*(CRED if credentials else ECHO), *EXPOSED_BASE, *(((ACEH, value),) if value else ())),
        credentials,
    )
    for label, value, credentials in EXPOSE_VALUES
]

# --- 8. Error paths -----------------------------------------------------------------------------
ERROR_FAMILY = [
    _simple("error-500-with-cors", "error", ECHO),
    Scenario("error-500-without-cors", "error", routes={"": {"get": Answer(500, ())}}),
    Scenario("error-404-with-cors", "error", routes={"": {"get": Answer(404, ECHO)}}),
    Scenario("error-204-with-cors", "error", routes={"": {"get": Answer(204, ECHO)}}),
]

# --- 9. Where the engines split (each engine's referee measures its own outcome) ---------------
NO_OPTIONS = {"options": Answer(405, ()), "any": Answer(200, ((ACAO, "*"),))}


def _put_json(name: str, routes: dict[str, dict[str, Answer]]) -> Scenario:
    """A preflighted PUT of JSON, the engines' family."""
    return Scenario(name, "engines", method="PUT", headers=JSON_CT, body="{}", routes=routes)


ENGINE_FAMILY = [
    Scenario(
        "engines-client-hint-dpr", "engines", headers=(("DPR", "2"),), routes={"": NO_OPTIONS}
    ),
    Scenario(
        "engines-client-hint-save-data",
        "engines",
        headers=(("Save-Data", "on"),),
        routes={"": NO_OPTIONS},
    ),
    Scenario(
        "engines-client-hint-viewport-width",
        "engines",
        headers=(("Viewport-Width", "1280"),),
        routes={"": NO_OPTIONS},
    ),
    Scenario(
        "engines-client-hint-dpr-answered",
        "engines",
        headers=(("DPR", "2"),),
        routes={
            "": {
                "options": Answer(204, ((ACAO, "{origin}"), (ACAH, "dpr"))),
                "any": Answer(200, ECHO),
            }
        },
    ),
    Scenario(
        "engines-user-agent", "engines", headers=(("User-Agent", "robot"),), routes={"": NO_OPTIONS}
    ),
    Scenario(
        "engines-range-upper-unit",
        "engines",
        headers=(("Range", "BYTES=0-99"),),
        routes={"": NO_OPTIONS},
    ),
    Scenario(
        "engines-range-mixed-unit",
        "engines",
        headers=(("Range", "Bytes=5-"),),
        routes={"": NO_OPTIONS},
    ),
    _put_json(
        "engines-preflight-500-without-acao",
        {"": {"options": Answer(500, ()), "any": Answer(200, ECHO)}},
    ),
    _put_json(
        "engines-preflight-403-with-acao",
        {
            "": {
                "options": Answer(403, ((ACAO, "{origin}"), (ACAM, "PUT"), (ACAH, "content-type"))),
                "any": Answer(200, ECHO),
            }
        },
    ),
    _put_json(
        "engines-preflight-302-without-acao",
        {"": {"options": Answer(302, (("Location", "{base}/next"),))}},
    ),
    _put_json(
        "engines-redirect-then-preflight-null",
        {
            "": {
                "options": PERMISSIVE_PREFLIGHT,
                "any": Answer(307, (*ECHO, ("Location", "{alt}/s/{name}/next"))),
            },
            "/next": {
                "options": Answer(204, ((ACAO, "null"), (ACAM, "PUT"), (ACAH, "content-type"))),
                "any": Answer(200, ((ACAO, "null"),)),
            },
        },
    ),
    _put_json(
        "engines-redirect-then-preflight-echo",
        {
            "": {
                "options": PERMISSIVE_PREFLIGHT,
                "any": Answer(307, (*ECHO, ("Location", "{alt}/s/{name}/next"))),
            },
            "/next": {
                "options": Answer(
                    204, ((ACAO, "{request-origin}"), (ACAM, "PUT"), (ACAH, "content-type"))
                ),
                "any": Answer(200, ((ACAO, "{request-origin}"),)),
            },
        },
    ),
    Scenario(
        "engines-redirect-then-simple-null",
        "engines",
        routes={
            "": {"any": Answer(302, (*ECHO, ("Location", "{alt}/s/{name}/next")))},
            "/next": {"any": Answer(200, ((ACAO, "null"),))},
        },
    ),
    Scenario(
        "engines-303-after-preflighted-post",
        "engines",
        method="POST",
        headers=JSON_CT,
        body="{}",
        routes={
            "": {
                "options": PERMISSIVE_PREFLIGHT,
                "any": Answer(303, (*ECHO, ("Location", "{base}/next"))),
            },
            "/next": {"options": Answer(405, ()), "any": Answer(200, ECHO)},
        },
    ),
    Scenario(
        "engines-303-after-preflighted-post-cross-origin",
        "engines",
        method="POST",
        headers=JSON_CT,
        body="{}",
        routes={
            "": {
                "options": PERMISSIVE_PREFLIGHT,
                "any": Answer(303, (*ECHO, ("Location", "{alt}/s/{name}/next"))),
            },
            "/next": {"options": Answer(405, ()), "any": Answer(200, ((ACAO, "*"),))},
        },
    ),
    Scenario(
        "engines-allow-headers-wildcard-authorization",
        "engines",
        headers=(("Authorization", "Bearer t"),),
        routes={
            "": {
                "options": Answer(204, ((ACAO, "*"), (ACAH, "*"))),
                "any": Answer(200, ((ACAO, "*"),)),
            }
        },
    ),
]


# --- 10. Fetch Metadata policies in front of a correct CORS layer --------------------------------
def _guarded(name: str, guard: str, method: str = "GET", credentials: bool = False) -> Scenario:
    json = method == "PUT"
    return Scenario(
        name,
        "fetch-metadata",
        method=method,
        headers=JSON_CT if json else (),
        body="{}" if json else None,
        credentials=credentials,
        routes={
            "": {
                "options": Answer(204, (*CRED, (ACAM, "PUT"), (ACAH, "content-type")), guard),
                "any": Answer(200, CRED, guard),
            }
        },
    )


FETCH_METADATA_FAMILY = [
    _guarded("fetch-metadata-isolation-get", "resource-isolation"),
    _guarded("fetch-metadata-isolation-put", "resource-isolation", "PUT"),
    _guarded("fetch-metadata-isolation-credentials", "resource-isolation", credentials=True),
    _guarded("fetch-metadata-no-cors-only-get", "no-cors-only"),
    _guarded("fetch-metadata-no-cors-only-put", "no-cors-only", "PUT"),
]


# --- 11. Request modes, redirect modes, Cross-Origin-Resource-Policy ------------------------------
CORP = "Cross-Origin-Resource-Policy"


def _mode(
    name: str,
    mode: str = "cors",
    redirect: str = "follow",
    *,
    method: str = "GET",
    headers: Pairs = (),
    body: str | None = None,
    answer: Pairs = (),
    status: int = 200,
    routes: dict[str, dict[str, Answer]] | None = None,
) -> Scenario:
    """One fetch() with `mode` and `redirect`; the server answers `status` with `answer` to
    anything (a permissive preflight to OPTIONS) unless `routes` are given."""
    return Scenario(
        name,
        "modes",
        method=method,
        headers=headers,
        body=body,
        mode=mode,
        redirect=redirect,
        routes=routes
        or {"": {"options": PERMISSIVE_PREFLIGHT, "any": Answer(status, (*JSON_CT, *answer))}},
    )


def _redirecting(
    name: str,
    mode: str,
    redirect: str,
    status: int,
    first: Pairs = ECHO,
    *,
    put: bool = False,
    target: Pairs | None = None,
) -> Scenario:
    """A redirect from the scenario's URL to `{base}/next`, which answers with CORS headers; or,
    with `target`, to `{alt}/s/<name>/target` (the page's own site), answering `target`."""
    location = "{base}/next" if target is None else "{alt}/s/{name}/target"
    routes = {
        "": {
            "options": PERMISSIVE_PREFLIGHT,
            "any": Answer(status, (*first, ("Location", location))),
        },
        "/next": {"any": Answer(200, (*ECHO, *JSON_CT)), "options": PERMISSIVE_PREFLIGHT},
    }
    if target is not None:
        routes["/target"] = {"any": Answer(200, (*JSON_CT, *target))}
    return _mode(
        name,
        mode,
        redirect,
        method="PUT" if put else "GET",
        headers=JSON_CT if put else (),
        body="{}" if put else None,
        routes=routes,
    )


MODES_FAMILY = [
    _mode("modes-no-cors-get", "no-cors"),
    _mode("modes-no-cors-get-with-acao", "no-cors", answer=ECHO),
    _mode("modes-no-cors-404", "no-cors", status=404),
    _mode("modes-no-cors-custom-header", "no-cors", headers=(("X-Custom", "1"),)),
    _mode("modes-no-cors-accept-language", "no-cors", headers=(("Accept-Language", "de"),)),
    _mode("modes-no-cors-post-json", "no-cors", method="POST", headers=JSON_CT, body="{}"),
    _mode("modes-no-cors-post-text", "no-cors", method="POST", body="hi"),
    _mode("modes-no-cors-put", "no-cors", method="PUT", body="{}"),
    _mode("modes-no-cors-delete-lower", "no-cors", method="delete"),
    _mode("modes-no-cors-corp-same-origin", "no-cors", answer=((CORP, "same-origin"),)),
    _mode("modes-no-cors-corp-same-site", "no-cors", answer=((CORP, "same-site"),)),
    _mode("modes-no-cors-corp-cross-origin", "no-cors", answer=((CORP, "cross-origin"),)),
    _mode("modes-no-cors-corp-upper-case", "no-cors", answer=((CORP, "SAME-ORIGIN"),)),
    _mode("modes-no-cors-corp-404", "no-cors", status=404, answer=((CORP, "same-origin"),)),
    # 127.0.0.1 on the API's port is the page's site: Chromium still blocks after the redirect
    _redirecting(
        "modes-no-cors-corp-same-site-after-redirect",
        "no-cors",
        "follow",
        302,
        first=(),
        target=((CORP, "same-site"),),
    ),
    _mode("modes-cors-corp-same-origin", answer=(*ECHO, (CORP, "same-origin"))),
    _mode("modes-same-origin-cross-origin", "same-origin", answer=ECHO),
    _redirecting("modes-redirect-error-302", "cors", "error", 302),
    _redirecting("modes-redirect-error-307", "cors", "error", 307),
    _redirecting("modes-redirect-error-no-acao", "cors", "error", 302, first=()),
    _redirecting("modes-redirect-manual-302", "cors", "manual", 302),
    _redirecting("modes-redirect-manual-307", "cors", "manual", 307),
    _redirecting("modes-redirect-manual-no-acao", "cors", "manual", 302, first=()),
    _redirecting("modes-redirect-manual-put", "cors", "manual", 307, put=True),
    _redirecting("modes-no-cors-redirect-manual", "no-cors", "manual", 302, first=()),
    _redirecting("modes-no-cors-redirect-error", "no-cors", "error", 302, first=()),
]

SCENARIOS: tuple[Scenario, ...] = (
    *ACAO_FAMILY,
    *CREDENTIALS_FAMILY,
    *TRIGGER_FAMILY,
    *METHOD_FAMILY,
    *PREFLIGHT_FAMILY,
    *REDIRECT_FAMILY,
    *EXPOSE_FAMILY,
    *ERROR_FAMILY,
    *ENGINE_FAMILY,
    *FETCH_METADATA_FAMILY,
    *LOCATION_FAMILY,
    *SAME_THEN_CROSS_FAMILY,
    *MODES_FAMILY,
)
