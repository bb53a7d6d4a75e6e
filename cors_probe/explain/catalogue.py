"""Finding codes to words: title, explanation, smallest fix, each browser's console line.

The console lines are facts to reproduce byte for byte (measured by the browser scenarios in
tests/browser; Chromium's texts are in Blink's
third_party/blink/renderer/platform/loader/cors/cors_error_string.cc): Chromium uses ASCII quotes
and echoes header values with every byte outside printable ASCII as `\\u00XX`; Firefox uses
typographic quotes; Safari's line is its reason text. A browser that prints nothing
for a finding gets None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from cors_probe.codes import FindingCode as C
from cors_probe.explain import cookies as _cookies
from cors_probe.explain import fixes as header_fix
from cors_probe.explain.fixes import HeaderFix
from cors_probe.model import DetailValue, Finding, Severity, Stage


@dataclass(frozen=True, slots=True)
class Explanation:
    title: str
    message: str
    fix: str
    chrome: str | None = None
    firefox: str | None = None
    safari: str | None = None
    header_fixes: tuple[HeaderFix, ...] = ()
    """The fix as headers to send, where it is one (explain.fixes); filled by `explain`."""


CHROME_SCHEMES = (
    "chrome, chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, "
    "http, https, isolated-app"
)
FIREFOX_BLOCKED = (
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at "
)
PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "
PREFLIGHT_PREFIXED = frozenset(
    {
        C.ACAO_MISSING,
        C.ACAO_MISMATCH,
        C.ACAO_MULTIPLE,
        C.ACAO_INVALID,
        C.WILDCARD_WITH_CREDENTIALS,
        C.ACAC_NOT_TRUE,
        C.PREFLIGHT_NOT_OK,
        C.PREFLIGHT_REDIRECT,
    }
)
HAVE_VALID = " Have the server send the header with a valid value."
NET_ERRORS = {
    "dns": "NAME_NOT_RESOLVED",
    "refused": "CONNECTION_REFUSED",
    "timeout": "TIMED_OUT",
    "tls": "SSL_PROTOCOL_ERROR",
    "protocol": "INVALID_HTTP_RESPONSE",
    "other": "FAILED",
}


def detail_text(value: DetailValue) -> str:
    """A `Finding.detail` value as the words and the JSON document show it: a bool as `True` or
    `False`, a float (milliseconds) rounded to a whole number, an int or str as is."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.0f}"
    return str(value)


def _detail(finding: Finding, key: str, default: str) -> str:
    """One detail value as text, or `default` when the finding has none."""
    value = finding.detail.get(key)
    return default if value is None else detail_text(value)


def chrome_value(raw: str) -> str:
    """A header value as Chromium echoes it: bytes outside printable ASCII become \\u00XX."""
    return "".join(c if 0x20 <= ord(c) <= 0x7E else f"\\u{ord(c):04X}" for c in raw)


def chrome_cors_line(finding: Finding, reason: str) -> str:
    """`Access to fetch at ... has been blocked by CORS policy: ` + reason, as Chromium prints."""
    redirected = f"(redirected from '{finding.first_url}') " if finding.first_url else ""
    prefix = (
        PREFLIGHT_PREFIX
        if finding.stage is Stage.PREFLIGHT and finding.code in PREFLIGHT_PREFIXED
        else ""
    )
    return (
        f"Access to fetch at '{finding.url}' {redirected}from origin '{finding.page_origin}' "
        f"has been blocked by CORS policy: {prefix}{reason}"
    )


def _status(finding: Finding) -> str:
    return str(finding.status) if finding.status is not None else "(null)"


def _shown(value: str | None) -> str:
    if value is None:
        return "no value"
    if value == "":
        return "an empty value"
    return f"'{value}'"


def _which(finding: Finding) -> str:
    """'the preflight response (status 204)' / 'the response (status 200) from URL'."""
    kind = "preflight response" if finding.stage is Stage.PREFLIGHT else "response"
    status = f" (status {finding.status})" if finding.status is not None else ""
    hop = f" from the redirect target {finding.url}" if finding.first_url else ""
    return f"the {kind}{status}{hop}"


def _sentence(text: str) -> str:
    """`text` with its first letter in upper case and nothing else touched (str.capitalize
    lower-cases the rest, URLs included: `?X-Amz-Signature=` would become `?x-amz-signature=`)."""
    return text[:1].upper() + text[1:]


def _on(finding: Finding) -> str:
    return "the OPTIONS response" if finding.stage is Stage.PREFLIGHT else "the response"


def _request_origin(finding: Finding) -> str:
    return _detail(finding, "request_origin", finding.page_origin)


def _tainted_note(finding: Finding) -> str:
    if _request_origin(finding) == "null" and finding.page_origin != "null":
        return (
            " After a redirect to another origin the browser sends `Origin: null`, so the only "
            "values that can match are `null` and `*`."
        )
    return ""


def _origin_clause(f: Finding) -> str | None:
    """ "`Access-Control-Allow-Origin: v` [and `...Credentials: true`] on <response>", or None
    when no header can fix it (a tainted credentialed request: `fixes.no_fix_reason`)."""
    if header_fix.no_fix_reason(f) is not None:
        return None
    tainted = (
        " (after the cross-origin redirect the request's origin is `null`: the page's origin "
        "cannot match)"
        if header_fix.tainted(f)
        else ""
    )
    return f"{header_fix.as_text(header_fix.origin_headers(f))} on {_on(f)}{tainted}"


def _send_origin(f: Finding) -> str:
    """ "Send <the origin clause>", or why no header can fix it."""
    clause = _origin_clause(f)
    return f"Send {clause}" if clause is not None else str(header_fix.no_fix_reason(f)).rstrip(".")


def _or_reason(f: Finding, template: str) -> str:
    """`template` with the origin clause in its `{}`, or why no header can fix it."""
    clause = _origin_clause(f)
    return template.format(clause) if clause is not None else str(header_fix.no_fix_reason(f))


def _said(f: Finding) -> str:
    """` The server's answer says: '<body>'.` when the finding quotes the body."""
    body = f.detail.get("body")
    return f" The response body says: '{body}'." if body else ""


def _refused(f: Finding) -> str:
    """What a CORS layer that answered 'Disallowed CORS ...' refused, in words."""
    parts = str(f.detail.get("refused", "")).split(", ")
    method, headers = _detail(f, "request_method", ""), _detail(f, "request_headers", "")
    words = {
        "origin": f"the origin '{_request_origin(f)}' (allow_origins)",
        "method": f"the method {method} (allow_methods)" if method else "the method",
        "headers": f"the request headers {headers} (allow_headers)" if headers else "a header",
    }
    return ", ".join(words.get(p, p) for p in parts if p)


def _layer_fix(f: Finding) -> str | None:
    """The fix the preflight's answer points to (policy.diagnosis), or None without evidence."""
    diagnosis = f.detail.get("diagnosis")
    origin = _request_origin(f)
    if diagnosis == "cors-layer-refused":
        exactly = (
            " (origins compare byte for byte: a configured origin with a trailing slash, a path, "
            "another scheme or port never matches)"
            if "origin" in str(f.detail.get("refused", ""))
            else ""
        )
        return (
            f"The CORS middleware answered the preflight itself and refused {_refused(f)}: add "
            f"exactly that to its allow-list{exactly}."
        )
    if diagnosis == "origin-not-allowed":
        return (
            "OPTIONS is routed: a CORS layer answered (it sent Access-Control-Allow-Methods/"
            f"-Headers or Vary: Origin), but the origin '{origin}' is not in its allow-list. Add "
            "it exactly so: "
            "a configured 'https://app.example/' (trailing slash), another scheme, port or case "
            f"never matches. {_send_origin(f)}."
        )
    if diagnosis == "no-cors-answer":
        return (
            f"OPTIONS was answered with {_status(f)} but no CORS header at all: either the origin "
            f"'{origin}' is not in the CORS layer's allow-list (many CORS middlewares then send "
            "no CORS header; compare byte for byte: no trailing slash, the same scheme and "
            "port), or no CORS layer handles this path. "
            f"{_send_origin(f)}."
        )
    if diagnosis == "auth-before-cors":
        return (
            f"Authentication answered the preflight ({_status(f)}) before the CORS layer: "
            "preflights never carry cookies or Authorization, so let OPTIONS through "
            "authentication (put the CORS middleware first)."
        )
    if diagnosis == "options-not-routed":
        return (
            f"OPTIONS is not routed to a CORS handler: the server answered {_status(f)} with no "
            "CORS header. Add the CORS middleware in front of the routes (or route OPTIONS to "
            f"it) so it answers the preflight with 204. {_send_origin(f)}."
        )
    if diagnosis == "server-error":
        return (
            f"The server failed on OPTIONS ({_status(f)}): fix that error (the body may say "
            "why), and answer preflights in the CORS layer before the application."
        )
    return None


def _acao_missing(f: Finding) -> Explanation:
    preflight = f.stage is Stage.PREFLIGHT
    fix = (
        _layer_fix(f)
        or (
            f"Answer OPTIONS with a 2xx status and {_origin_clause(f)}."
            if _origin_clause(f) is not None
            else _send_origin(f)
        )
        if preflight
        else (
            "A Fetch Metadata policy (or WAF rule) in front of the CORS layer refused the "
            "request (see fetch-metadata-refusal): let CORS requests from your allowed origins "
            f"through it. {_send_origin(f)}."
            if f.detail.get("refused_before_cors") is True
            else f"{_send_origin(f)}"
            + (", error responses included." if _origin_clause(f) is not None else ".")
        )
    )
    return Explanation(
        "No Access-Control-Allow-Origin header",
        f"{_sentence(_which(f))} has no Access-Control-Allow-Origin header, so the browser "
        + (
            "never sends the actual request."
            if preflight
            else "hides the response from the page (fetch() rejects with a TypeError)."
        )
        + _tainted_note(f)
        + _said(f),
        fix,
        chrome_cors_line(
            f, "No 'Access-Control-Allow-Origin' header is present on the requested resource."
        ),
        f"{FIREFOX_BLOCKED}{f.url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). "
        f"Status code: {_status(f)}.",
        _safari_origin(f),
    )


def _safari_origin(f: Finding) -> str:
    if f.stage is Stage.PREFLIGHT and f.status is not None and not 200 <= f.status <= 299:
        return f"Preflight response is not successful. Status code: {f.status}"
    return (
        f"Origin {f.page_origin} is not allowed by Access-Control-Allow-Origin. "
        f"Status code: {_status(f)}"
    )


def _acao_mismatch(f: Finding) -> Explanation:
    value = f.value or ""
    return Explanation(
        "Access-Control-Allow-Origin does not match the origin",
        f"{_sentence(_which(f))} sends Access-Control-Allow-Origin {_shown(value)}, but the "
        f"request's origin is '{_request_origin(f)}'. The browser compares the two strings byte "
        "for byte: no trailing slash, no path, lower case, no default port." + _tainted_note(f),
        (
            f"{_send_origin(f)}, or call the final URL directly so no cross-origin redirect "
            "happens."
            if header_fix.tainted(f) and header_fix.no_fix_reason(f) is None
            else f"{_send_origin(f)}."
        ),
        chrome_cors_line(
            f,
            f"The 'Access-Control-Allow-Origin' header has a value '{chrome_value(value)}' that is "
            f"not equal to the supplied origin.{HAVE_VALID}",
        ),
        f"{FIREFOX_BLOCKED}{f.url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not "
        f"match ‘{value}’).",
        _safari_origin(f),
    )


def _acao_multiple(f: Finding) -> Explanation:
    value = f.value or ""
    lines = _detail(f, "lines", "1")
    firefox = (
        f"{FIREFOX_BLOCKED}{f.url}. (Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ "
        "not allowed)."
        if lines != "1"
        else f"{FIREFOX_BLOCKED}{f.url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ does "
        f"not match ‘{value}’)."
    )
    how = (
        f"{lines} Access-Control-Allow-Origin header lines"
        if lines != "1"
        else f"Access-Control-Allow-Origin {_shown(value)}"
    )
    return Explanation(
        "Access-Control-Allow-Origin holds more than one origin",
        f"{_sentence(_which(f))} sends {how}; a browser accepts exactly one origin (or `*`). "
        "Two lines usually mean two layers (a proxy and the app) both add the header.",
        _or_reason(
            f,
            "Send one Access-Control-Allow-Origin line with one origin: match the request's "
            "Origin against your allow-list on the server and echo it, with `Vary: Origin`; "
            "remove the duplicate layer. Send {}.",
        ),
        chrome_cors_line(
            f,
            f"The 'Access-Control-Allow-Origin' header contains multiple values "
            f"'{chrome_value(value)}', but only one is allowed.{HAVE_VALID}",
        ),
        firefox,
        "Access-Control-Allow-Origin cannot contain more than one origin."
        if "," in value
        else _safari_origin(f),
    )


def _acao_invalid(f: Finding) -> Explanation:
    value = f.value or ""
    return Explanation(
        "Access-Control-Allow-Origin is not a valid origin",
        f"{_sentence(_which(f))} sends Access-Control-Allow-Origin {_shown(value)}, which is "
        "not an origin at all (empty, quoted, or not plain ASCII).",
        _or_reason(f, "Send a bare origin (no quotes): {}."),
        chrome_cors_line(
            f,
            f"The 'Access-Control-Allow-Origin' header contains the invalid value "
            f"'{chrome_value(value)}'.{HAVE_VALID}",
        ),
        f"{FIREFOX_BLOCKED}{f.url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not "
        f"match ‘{value}’).",
        _safari_origin(f),
    )


def _wildcard_credentials(f: Finding) -> Explanation:
    return Explanation(
        "Wildcard origin on a credentialed request",
        f"{_sentence(_which(f))} sends `Access-Control-Allow-Origin: *`, but the request uses "
        "credentials: 'include'. With credentials the browser refuses the wildcard, even when "
        "Access-Control-Allow-Credentials is true.",
        header_fix.no_fix_reason(f)
        or f"Echo the specific origin: {_origin_clause(f)}, with `Vary: Origin`; "
        "or drop credentials: 'include' if the call needs no cookies.",
        chrome_cors_line(
            f,
            "The value of the 'Access-Control-Allow-Origin' header in the response must not be "
            "the wildcard '*' when the request's credentials mode is 'include'.",
        ),
        f"{FIREFOX_BLOCKED}‘{f.url}’. (Reason: Credential is not supported if the CORS header "
        "‘Access-Control-Allow-Origin’ is ‘*’).",
        "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true.",
    )


def _acac(f: Finding) -> Explanation:
    value = f.value
    return Explanation(
        "Access-Control-Allow-Credentials is not `true`",
        f"The request uses credentials: 'include', so {_which(f)} must send "
        f"`Access-Control-Allow-Credentials: true`; it sends {_shown(value)}. The value is "
        "case-sensitive and must appear once.",
        f"Send exactly `Access-Control-Allow-Credentials: true` on {_on(f)} "
        "(every credentialed response, redirects included).",
        chrome_cors_line(
            f,
            "The value of the 'Access-Control-Allow-Credentials' header in the response is "
            f"'{chrome_value(value or '')}' which must be 'true' when the request's credentials "
            "mode is 'include'.",
        ),
        f"{FIREFOX_BLOCKED}{f.url}. (Reason: expected ‘true’ in CORS header "
        "‘Access-Control-Allow-Credentials’).",
        'Credentials flag is true, but Access-Control-Allow-Credentials is not "true".',
    )


def _preflight_not_ok(f: Finding) -> Explanation:
    return Explanation(
        "The preflight did not get a 2xx status",
        f"The OPTIONS preflight was answered with status {_status(f)}. A preflight passes only "
        "with 200-299, whatever its headers say; the browser never sends the actual request."
        + _said(f),
        _layer_fix(f)
        or "Answer OPTIONS with 204 (or 200) in the CORS layer, before authentication, routing "
        "and rate-limit middleware: preflights never carry cookies or Authorization.",
        chrome_cors_line(f, "It does not have HTTP ok status."),
        f"{FIREFOX_BLOCKED}{f.url}. (Reason: CORS preflight response did not succeed). "
        f"Status code: {_status(f)}.",
        f"Preflight response is not successful. Status code: {_status(f)}",
    )


def _preflight_redirect(f: Finding) -> Explanation:
    location = _detail(f, "location", "")
    return Explanation(
        "The preflight was redirected",
        f"The OPTIONS preflight got a {_status(f)} redirect to '{location}'. Browsers never "
        "follow a redirect for a preflight.",
        "Do not redirect OPTIONS (trailing-slash, http→https and login redirects are the usual "
        f"culprits); call the final URL ('{location}') directly.",
        chrome_cors_line(f, "Redirect is not allowed for a preflight request."),
        f"{FIREFOX_BLOCKED}{f.url}. (Reason: CORS request external redirect not allowed).",
        f"Preflight response is not successful. Status code: {_status(f)}",
    )


def _list_unparsable(f: Finding, header: str) -> Explanation:
    item = _detail(f, "item", "")
    example = "GET, POST, PUT" if header.endswith("Methods") else "Content-Type, Authorization"
    return Explanation(
        f"{header} cannot be parsed",
        f"The preflight response sends {header} {_shown(f.value)}; '{item}' is not a bare token, "
        "so the browser rejects the whole list.",
        "Make it a comma-separated list of bare names: "
        + (header_fix.as_text(header_fix.header_fixes(f)) or f"`{header}: {example}`")
        + " on the OPTIONS response.",
        chrome_cors_line(f, f"Cannot parse {header} response header field in preflight response."),
        f"{FIREFOX_BLOCKED}{f.url}. (Reason: invalid token ‘{item}’ in CORS header ‘{header}’).",
        f"Header {header} has an invalid value: {f.value or ''}",
    )


def _method_not_allowed(f: Finding) -> Explanation:
    method = _detail(f, "method", "")
    return Explanation(
        f"Method {method} is not allowed",
        f"The preflight response's Access-Control-Allow-Methods is {_shown(f.value)}, which does "
        f"not list {method}. Methods match case-sensitively after fetch() normalises them: "
        "`put` is sent as PUT, but `patch` stays `patch`.",
        f"Add {method} to Access-Control-Allow-Methods, spelled exactly so "
        f"(`Access-Control-Allow-Methods: {method}` on the OPTIONS response); `*` works only "
        "without credentials.",
        chrome_cors_line(
            f,
            f"Method {method} is not allowed by Access-Control-Allow-Methods in preflight "
            "response.",
        ),
        f"{FIREFOX_BLOCKED}{f.url}. (Reason: Did not find method in CORS header "
        "‘Access-Control-Allow-Methods’).",
        f"Method {method} is not allowed by Access-Control-Allow-Methods.",
    )


def _header_not_allowed(f: Finding) -> Explanation:
    name = _detail(f, "name", "")
    return Explanation(
        f"Request header {name} is not allowed",
        f"The request sends {name}, which is not a CORS-safelisted header, and the preflight "
        f"response's Access-Control-Allow-Headers ({_shown(f.value)}) does not list it.",
        f"List {name} in Access-Control-Allow-Headers with every other header the request sends "
        f"(`Access-Control-Allow-Headers: {_detail(f, 'request_headers', name)}` on the OPTIONS "
        "response), naming the headers you accept (reflecting Access-Control-Request-Headers "
        "would grant every header to every caller); `*` works only without credentials and, per "
        "the spec, never for Authorization.",
        chrome_cors_line(
            f,
            f"Request header field {name} is not allowed by Access-Control-Allow-Headers in "
            "preflight response.",
        ),
        f"{FIREFOX_BLOCKED}{f.url}. (Reason: header ‘{name}’ is not allowed according to header "
        "‘Access-Control-Allow-Headers’ from CORS preflight response).",
        f"Request header field {name} is not allowed by Access-Control-Allow-Headers.",
    )


def _redirect_userinfo(f: Finding) -> Explanation:
    location = _detail(f, "location", "")
    return Explanation(
        "Redirect to a URL with a user name and password",
        f"The response redirects to '{location}', which carries user:pass@; browsers refuse "
        "such redirects for cross-origin requests.",
        "Remove the user:pass@ part from the Location header; send credentials in Authorization.",
        chrome_cors_line(
            f,
            "Redirect location '' contains a username and password, which is disallowed for "
            "cross-origin requests.",
        ),
        None,
        f"redirection URL {location} has credentials",
    )


def _redirect_scheme(f: Finding) -> Explanation:
    location = _detail(f, "location", "")
    scheme = _detail(f, "scheme", "")
    data = scheme == "data"
    # Chromium fails the request to the redirect target, so its line names the target, redirected
    # from the first URL (browser scenario redirect-ftp-scheme).
    target = replace(f, url=location, first_url=f.first_url or f.url)
    return Explanation(
        f"Redirect to a {scheme}: URL",
        f"The response redirects to '{location}'; a CORS request may only be redirected to "
        "http:// or https:// URLs.",
        "Redirect only to http(s) URLs.",
        "Failed to load resource: net::ERR_UNSAFE_REDIRECT"
        if data
        else chrome_cors_line(
            target,
            f"Cross origin requests are only supported for protocol schemes: {CHROME_SCHEMES}.",
        ),
        None if data else f"{FIREFOX_BLOCKED}{location}. (Reason: CORS request not http).",
        "not allowed to follow a cross-origin CORS redirection with non CORS scheme",
    )


def _too_many_redirects(f: Finding) -> Explanation:
    return Explanation(
        "Too many redirects",
        f"The request was redirected 20 times and {f.url} redirects again; browsers follow at "
        "most 20 redirects.",
        "Break the redirect loop (check trailing-slash and http→https rules).",
        "Failed to load resource: net::ERR_TOO_MANY_REDIRECTS",
    )


def _tainted(f: Finding) -> Explanation:
    return Explanation(
        "A cross-origin redirect made the origin null",
        f"{_detail(f, 'from_url', f.url)} redirected to {_detail(f, 'to_url', '')} on "
        "another origin; from then on the browser sends `Origin: null` and only "
        "`Access-Control-Allow-Origin: null` or `*` can match.",
        "Call the final URL directly, or have the redirect target allow `null` (a security "
        "smell: any sandboxed page has origin null) or `*` without credentials.",
    )


def _unreachable(f: Finding) -> Explanation:
    kind = _detail(f, "kind", "other")
    reason = _detail(f, "reason", "")
    net = NET_ERRORS.get(kind, "FAILED")
    if kind == "tls" and "certificate verify" in reason.lower():
        net = "CERT_AUTHORITY_INVALID"
    if kind == "protocol" and any(
        w in reason.lower() for w in ("closed", "disconnected", "without sending")
    ):
        net = "EMPTY_RESPONSE"
    firefox = (
        f"{FIREFOX_BLOCKED}{f.url}. (Reason: CORS request did not succeed). Status code: (null)."
    )
    if kind == "timeout":
        return Explanation(
            "The server did not answer in time",
            f"No complete HTTP response from {f.url}: {reason}. This is not a CORS header problem.",
            "Find what holds the server up (a slow upstream, a stuck worker, a firewall dropping "
            "packets); if it is only slow, raise --timeout (each request's whole budget, headers "
            "and body) or --deadline (the whole conversation's, redirects included).",
            f"Failed to load resource: net::ERR_{net}",
            firefox,
        )
    return Explanation(
        "The server could not be reached",
        f"No HTTP response from {f.url}: {reason}. This is not a CORS header problem.",
        "Check the host name, port, TLS certificate and firewall; the browser fails the same way.",
        f"Failed to load resource: net::ERR_{net}",
        firefox,
    )


def _consent(f: Finding) -> Explanation:
    method = _detail(f, "method", "")
    return Explanation(
        f"The {method} was not sent",
        f"{method} may change data on the server, so cors-probe sent only the preflight. The "
        "verdict covers the preflight; the actual response was not checked.",
        "Run again with --yes to send the actual request (or answer y on a terminal).",
    )


def _forbidden_method(f: Finding) -> Explanation:
    method = _detail(f, "method", "")
    return Explanation(
        f"fetch() refuses the method {method}",
        f"{method} is a forbidden method: fetch() throws a TypeError and sends nothing.",
        "Not possible from a browser; use another method.",
        f"TypeError: Failed to execute 'fetch' on 'Window': '{method}' HTTP method is unsupported.",
    )


def _url_credentials(f: Finding) -> Explanation:
    return Explanation(
        "fetch() refuses a URL with a user name and password",
        "The URL carries user:pass@; fetch() throws a TypeError and sends nothing.",
        "Send credentials in an Authorization header instead of the URL.",
        "TypeError: Failed to execute 'fetch' on 'Window': Request cannot be constructed from a "
        f"URL that includes credentials: {f.url}",
    )


def _body_not_allowed(f: Finding) -> Explanation:
    method = _detail(f, "method", "GET")
    return Explanation(
        f"fetch() refuses a body with {method}",
        f"A {method} request cannot have a body: fetch() throws a TypeError and sends nothing.",
        "Drop the body, or use POST/PUT.",
        "TypeError: Failed to execute 'fetch' on 'Window': Request with GET/HEAD method cannot "
        "have body.",
    )


def _forbidden_header(f: Finding) -> Explanation:
    name = f.header or ""
    extra = (
        " With --credentials, pass the browser's cookies with --cookie instead."
        if name.lower() == "cookie"
        else ""
    )
    return Explanation(
        f"The browser drops {name}",
        f"Your script cannot set {name}; the browser silently drops it (a forbidden request "
        f"header), so the server never sees it and it causes no preflight.{extra}",
        f"Remove {name} from the script's headers; the browser sets it itself, or not at all.",
    )


def _user_agent(f: Finding) -> Explanation:
    return Explanation(
        "Chromium drops a script-set User-Agent",
        "Chromium silently drops the User-Agent your script sets (crbug 571722). Firefox and "
        "Safari send it, and it then needs a preflight that allows `user-agent`.",
        "Do not set User-Agent from script, or allow `user-agent` in Access-Control-Allow-Headers "
        "for Firefox and Safari.",
    )


def _client_hint(f: Finding) -> Explanation:
    return Explanation(
        f"{f.header} is safelisted only in Chromium",
        f"Chromium lets the client hint {f.header}: {f.value} through without a preflight; "
        "Firefox and Safari treat it as an ordinary header and send a preflight.",
        f"Allow `{(f.header or '').lower()}` in Access-Control-Allow-Headers so Firefox and "
        "Safari work too.",
    )


def _vary(f: Finding) -> Explanation:
    if "depends" in f.detail:
        return _vary_compared(f)
    return Explanation(
        "Vary: Origin is missing",
        f"{_sentence(_which(f))} echoes the request's origin in Access-Control-Allow-Origin but "
        + ("it sends no Vary header" if f.value is None else f"its Vary header is '{f.value}'")
        + ". A shared cache or CDN can hand this answer to "
        "another origin, which then fails intermittently.",
        f"Send {header_fix.as_text(header_fix.header_fixes(f))} on every response of this "
        "resource, with or without CORS headers.",
    )


def _wildcard_acac(f: Finding) -> Explanation:
    return Explanation(
        "Wildcard origin together with Allow-Credentials",
        f"{_sentence(_which(f))} sends `Access-Control-Allow-Origin: *` and "
        f"Access-Control-Allow-Credentials {_shown(f.value)}. That works only for requests "
        "without credentials; a credentialed call to this resource will be blocked.",
        "Echo the caller's origin (with Vary: Origin) when credentials are needed, or drop "
        "Access-Control-Allow-Credentials.",
    )


def _max_age_missing(f: Finding) -> Explanation:
    ms = _detail(f, "preflight_ms", "?")
    return Explanation(
        "No Access-Control-Max-Age: a preflight before every request",
        f"The preflight response has no Access-Control-Max-Age, so browsers cache it for 5 "
        f"seconds only: nearly every call pays an extra round trip (this one took {ms} ms).",
        "Send `Access-Control-Max-Age: 7200` (Chromium's cap; Firefox allows 86400, Safari 600).",
    )


def _max_age_effective(f: Finding) -> str:
    return (
        f"Chrome caches it {_detail(f, 'chrome', '?')} s, Firefox "
        f"{_detail(f, 'firefox', '?')} s, Safari {_detail(f, 'safari', '?')} s."
    )


def _max_age_capped(f: Finding) -> Explanation:
    return Explanation(
        "Access-Control-Max-Age is above a browser's cap",
        f"Access-Control-Max-Age is {_shown(f.value)}; browsers cap it: " + _max_age_effective(f),
        (
            "Use `Access-Control-Max-Age: 7200` (Chromium's cap) unless you rely on Firefox's 24 h."
            if f.severity is Severity.WARNING
            else "Nothing to fix: Safari caches the preflight for 10 minutes at most, whatever "
            "the server says."
        ),
    )


def _max_age_invalid(f: Finding) -> Explanation:
    return Explanation(
        "Access-Control-Max-Age is not a non-negative integer",
        f"Access-Control-Max-Age is {_shown(f.value)}; browsers disagree on what that means: "
        + _max_age_effective(f),
        "Send a whole number of seconds, e.g. `Access-Control-Max-Age: 7200`.",
    )


def _authorization_wildcard(f: Finding) -> Explanation:
    return Explanation(
        "Authorization is allowed only by the `*` wildcard",
        "Access-Control-Allow-Headers is `*`, which per the Fetch Standard never covers "
        "Authorization. Chromium, Firefox and Safari still allow it today (Firefox warns), so "
        "the verdict is allowed, but a browser that follows the spec will block it.",
        "List it explicitly: `Access-Control-Allow-Headers: *, Authorization`.",
        None,
        f"Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote "
        f"resource at {f.url} soon. (Reason: When the `Access-Control-Allow-Headers` is `*`, the "
        "`Authorization` header is not covered. To include the `Authorization` header, it must be "
        "explicitly listed in CORS header `Access-Control-Allow-Headers`).",
    )


def _reached_server(f: Finding) -> Explanation:
    method = _detail(f, "method", "")
    how = "after its preflight passed" if f.detail.get("preflighted") else "without a preflight"
    return Explanation(
        "The request ran on the server anyway",
        f"The {method} was sent {how} and the server processed it (status "
        f"{_status(f)}); the browser only hid the response from the page. Any side effect "
        "already happened.",
        "Fix the CORS headers of the response; do not rely on CORS to stop requests reaching "
        "the server (use CSRF protection for that).",
    )


def _error_status(f: Finding) -> Explanation:
    return Explanation(
        "An error status without CORS headers hides the real error",
        f"The server answered {_status(f)} without Access-Control-Allow-Origin, so the page sees a "
        f"CORS error instead of the {_status(f)}. The real problem is the server error." + _said(f),
        _or_reason(
            f,
            "Add the CORS headers on error responses too (most frameworks skip them when a "
            "handler crashes): {}; then fix the error itself.",
        ),
    )


def _redirect_changed_method(f: Finding) -> Explanation:
    before, after = _detail(f, "from_method", "POST"), _detail(f, "to_method", "GET")
    location = _detail(f, "location", "")
    dropped = (
        " and its body was dropped: the server never sees what was posted"
        if f.detail.get("body_dropped")
        else ""
    )
    return Explanation(
        f"The {_status(f)} redirect turned {before} into {after}",
        f"{f.url} answered {_status(f)} with Location '{location}'; browsers follow a 301/302 "
        f"of a POST (a 303 of anything but GET/HEAD) with a {after}{dropped}. A trailing-slash "
        "or canonical-host rule is the usual cause.",
        f"Call the canonical URL '{location}' directly; or have the server redirect with 307 or "
        "308, which keep the method and the body.",
    )


def _reflected(f: Finding) -> Explanation:
    origin = _detail(f, "origin", "")
    if "pattern" in f.detail:
        return _lookalike(f, credentials=True)
    why = (
        "`null`, which any site can send from a sandboxed iframe"
        if origin == "null"
        else "an unrelated site's, which cors-probe chose because no --origin was given"
    )
    return Explanation(
        "Security: any origin may read credentialed responses",
        f"The server echoed the origin {origin} ({why}) in Access-Control-Allow-Origin together "
        "with `Access-Control-Allow-Credentials: true`, so a page on any site can call this API "
        "with the user's cookies and read the answer.",
        "Echo the Origin only when it is on an allow-list of exact origins (compare whole "
        "origins, never a prefix, suffix or unanchored pattern; never allow `null`), and send "
        "`Vary: Origin`.",
    )


def _isolation_refusal(f: Finding) -> Explanation:
    mode = _detail(f, "mode", "cors")
    return Explanation(
        "Refused as a cross-site request (Fetch Metadata)",
        f"The server answered 403 without CORS headers to a request that carried "
        f"`Sec-Fetch-Site: cross-site` and `Sec-Fetch-Mode: {mode}`, as every browser sends it. "
        "A Fetch Metadata resource-isolation policy (or a WAF rule) in front of the CORS layer "
        "most likely refused it before CORS was considered.",
        "Let the isolation policy pass CORS requests (`Sec-Fetch-Mode: cors`) from the origins "
        "your CORS policy allows, or exempt this API's paths from it; the CORS headers alone "
        "cannot help while the request is refused before them.",
    )


def _spaces(f: Finding) -> tuple[str, str, str]:
    """(the target's address space, the page's, a note when the page's was assumed)."""
    assumed = (
        " (assumed: the origin's host name did not resolve; say --page-address-space)"
        if f.detail.get("assumed") is True
        else ""
    )
    return _detail(f, "space", "local"), _detail(f, "page_space", "public"), assumed


def _local_network(f: Finding) -> Explanation:
    space, page_space, assumed = _spaces(f)
    granted = _detail(f, "permission", "prompt") == "granted"
    denied = (
        f"Access to fetch at '{f.url}' from origin '{f.page_origin}' has been blocked by CORS "
        f"policy: Permission was denied for this request to access the `{space}` address space."
    )
    if granted:
        return Explanation(
            f"Local Network Access granted: a {page_space} page calling a {space} address",
            f"{f.url} is at {_detail(f, 'address', '')}, in the {space} address space, more "
            f"private than the page's ({page_space}{assumed}). The browser sent it because the "
            "user granted the page Local Network Access (--local-network granted); every other "
            "user is asked first.",
            "Nothing to fix for this user; others must grant the permission too, or call a host "
            "in the page's own address space.",
            None,
            None if f.detail.get("preflight") is True else firefox_lna_line(f, "auto_allow"),
        )
    return Explanation(
        f"Depends on the user: a {page_space} page calling a {space} address",
        f"{f.url} is at {_detail(f, 'address', '')}, in the {space} address space, more "
        f"private than the page's ({page_space}{assumed}). Chrome and Firefox ask the user for "
        "Local Network Access before sending anything; the verdict holds if they allow it. If "
        f"they deny it, fetch() fails (Chrome prints: {denied})",
        "Ask users to allow the prompt, or serve the API from a public address (over https); "
        "check the denial with --local-network denied.",
    )


def _host_port(url: str) -> str:
    """`host:port` of an http(s) URL, the scheme's default port when none is written, as
    Firefox names an LNA target."""
    scheme, _, rest = url.partition("://")
    authority = rest.split("/", 1)[0].rpartition("@")[2]
    if authority.endswith("]") or ":" not in authority:
        return f"{authority}:{443 if scheme == 'https' else 80}"
    return authority


def firefox_lna_line(f: Finding, action: str = "auto_deny") -> str:
    """Firefox's `Local Network Access detected` line (`action`: auto_deny for a denied request,
    auto_allow for a granted one), without the script stack it appends (the page's own, which
    cors-probe cannot know)."""
    page = f.page_origin + "/"
    secure = "True" if f.detail.get("secure") is True else "False"
    return (
        f"Local Network Access detected: top-level site “{page}”, initiator “{page}”, accessing "
        f"target “{f.url}” ({_host_port(f.url)}) via fetch. Secure context: {secure}, prompt "
        f"action: {action}"
    )


def _local_network_denied(f: Finding) -> Explanation:
    space, page_space, assumed = _spaces(f)
    return Explanation(
        f"Local Network Access denied: a {page_space} page calling a {space} address",
        f"{f.url} is at {_detail(f, 'address', '')}, in the {space} address space, more "
        f"private than the page's ({page_space}{assumed}), and the user denied the page Local "
        "Network Access: the browser sent nothing.",
        "The user can allow it in the site's settings; or serve the API from the page's own "
        "address space (a public host).",
        chrome_cors_line(
            f, f"Permission was denied for this request to access the `{space}` address space."
        ),
        None if f.detail.get("preflight") is True else firefox_lna_line(f),
    )


def _local_network_insecure(f: Finding) -> Explanation:
    space, page_space, assumed = _spaces(f)
    return Explanation(
        f"An insecure page may not call a {space} address",
        f"{f.url} is at {_detail(f, 'address', '')}, in the {space} address space, more "
        f"private than the page's ({page_space}{assumed}), and the page {f.page_origin} is not "
        "a secure context (http: on a non-loopback host): Chrome blocks it before sending "
        "anything, without asking the user.",
        "Serve the page over https (the user is then asked for Local Network Access), or "
        "serve the API from the page's own address space.",
        chrome_cors_line(
            f,
            "The request client is not a secure context and the resource is in more-private "
            f"address space `{space}`.",
        ),
    )


def _mixed_content(f: Finding) -> Explanation:
    page = _detail(f, "page_url", f.page_origin + "/")
    redirected = f" (redirected from {f.first_url})" if f.first_url else ""
    trustworthy = f.detail.get("trustworthy") is True
    # WebKitGTK 2.50 prints its line cut after "must" for a loopback URL (measured)
    tail = "" if trustworthy else " be served over HTTPS."
    where = (
        "on loopback: Chrome and Firefox allow that, Safari (WebKit) blocks it"
        if trustworthy
        else "on a host that is not loopback: every browser blocks it"
    )
    return Explanation(
        "Mixed content: an https page fetching an http URL",
        f"The page {f.page_origin} was loaded over https and fetches {f.url}{redirected} over "
        f"plain http {where} before sending anything (fetch() is not upgraded to https).",
        f"Serve the API over https (https://{f.url.partition('://')[2]}).",
        f"Mixed Content: The page at '{page}' was loaded over HTTPS, but requested an insecure "
        f"resource '{f.url}'. This request has been blocked; the content must be served over "
        "HTTPS.",
        f"Blocked loading mixed active content “{f.url}”",
        f"[blocked] The page at {page} requested insecure content from {f.url}. This content "
        f"was blocked and must{tail}",
    )


def _no_cors_method(f: Finding) -> Explanation:
    method = _detail(f, "method", "")
    return Explanation(
        f"fetch() refuses {method} in no-cors mode",
        f"mode: 'no-cors' allows only GET, HEAD and POST; with {method} fetch() throws a "
        "TypeError and sends nothing.",
        "Drop mode: 'no-cors' and let the server answer CORS (a preflight for "
        f"{method}), or use GET/POST.",
    )


def _no_cors_header(f: Finding) -> Explanation:
    return Explanation(
        f"{f.header} is silently dropped in no-cors mode",
        f"mode: 'no-cors' keeps only Accept, Accept-Language, Content-Language and a simple "
        f"Content-Type; the browser drops {f.header}: {f.value} without an error, so the server "
        "never sees it.",
        "Use mode: 'cors' (the default) and allow the header with "
        f"`Access-Control-Allow-Headers: {(f.header or '').lower()}`.",
    )


def _no_cors_redirect_mode(f: Finding) -> Explanation:
    return Explanation(
        "no-cors requires redirect: 'follow'",
        f"mode: 'no-cors' with redirect: '{_detail(f, 'redirect', '')}' is a network error: "
        "fetch() rejects with a TypeError before sending anything.",
        "Drop the redirect option (or mode: 'no-cors').",
    )


def _same_origin_mode(f: Finding) -> Explanation:
    redirected = f" (redirected from {f.url})" if "location" in f.detail else ""
    return Explanation(
        "same-origin mode refuses a cross-origin URL",
        f"mode: 'same-origin' and the URL's origin {_detail(f, 'url_origin', '')}{redirected} is "
        f"not the page's ({f.page_origin}): fetch() rejects with a TypeError and sends nothing "
        "there.",
        "Use mode: 'cors' (the default) for a cross-origin API, or call your own origin.",
    )


def _opaque_response(f: Finding) -> Explanation:
    return Explanation(
        "Opaque response: script sees status 0, no headers, no body",
        f"mode: 'no-cors' skips the CORS check, so fetch() resolves, but with an opaque "
        f"response: the server answered {_detail(f, 'real_status', '?')}, script sees status 0, "
        "response.ok false, no header and an empty body. This is almost never what you want: "
        "it only suits caching or fire-and-forget requests.",
        "Drop mode: 'no-cors' and have the server send Access-Control-Allow-Origin for your "
        "origin.",
    )


def _corp_blocked(f: Finding) -> Explanation:
    policy = _detail(f, "policy", "")
    relation = _detail(f, "relation", "cross-site")
    origin = _detail(f, "request_origin", f.page_origin)
    who = f"the page's origin {origin}"
    if origin == "null" and f.page_origin != "null":
        who = "the request's origin, opaque (null) after a cross-origin redirect in Chrome,"
    return Explanation(
        f"Cross-Origin-Resource-Policy: {policy} blocks this response",
        f"Not a CORS error: the response carries `Cross-Origin-Resource-Policy: {policy}` and "
        f"{who} is {relation} to {f.url}, so the browser discards the no-cors response and "
        "fetch() rejects.",
        "Send `Cross-Origin-Resource-Policy: cross-origin` (or same-site when page and API share "
        "a site), or fetch in cors mode with Access-Control-Allow-Origin.",
    )


def _redirect_mode_error(f: Finding) -> Explanation:
    return Explanation(
        "redirect: 'error' and the server redirects",
        f"The response is a {_status(f)} redirect to {_detail(f, 'location', '?')}; with "
        "redirect: 'error' that is a network error and fetch() rejects.",
        "Call the final URL directly, or use redirect: 'follow'.",
    )


def _opaque_redirect(f: Finding) -> Explanation:
    return Explanation(
        "Opaque redirect: script sees status 0 and no Location",
        f"With redirect: 'manual' the {_status(f)} redirect to {_detail(f, 'location', '?')} is "
        "not followed: fetch() resolves with type 'opaqueredirect', status 0, no headers, so "
        "script cannot read where it points.",
        "Use redirect: 'follow' to get the target, or have the API return the URL in a body.",
    )


# --- caches (the cache section: cors-probe's own comparison requests) ------------------------

_PATTERNS = {
    "suffix": "your origin followed by more labels (a pattern not anchored at its end)",
    "prefix": "your host with a prefix (a pattern not anchored at its start)",
    "dot": "your host with a dot replaced (an unescaped `.` in a regular expression)",
    "scheme": "your host on http: (a pattern that ignores the scheme)",
    "any": "an unrelated site's (the server reflects every Origin)",
}


def _vary_compared(f: Finding) -> Explanation:
    vary = "no Vary header" if f.value is None else f"`Vary: {f.value}`"
    return Explanation(
        "Vary: Origin is missing",
        f"cors-probe sent this request with other Origin headers (and none): "
        f"{_detail(f, 'depends', '')} changed with the Origin, yet the answer has {vary}. A "
        "shared cache, a CDN or the browser's own cache can hand one origin's answer (or the "
        "answer without CORS headers) to another origin, which then fails intermittently.",
        "Add `Vary: Origin` to every response of this resource, with or without CORS headers.",
    )


def _lookalike(f: Finding, *, credentials: bool) -> Explanation:
    origin = _detail(f, "origin", "")
    kind = _PATTERNS.get(_detail(f, "pattern", ""), "a lookalike of your origin")
    risk = (
        "together with `Access-Control-Allow-Credentials: true`: a page on that name reads "
        "the user's credentialed responses"
        if credentials
        else "so a page on that name can read this API's responses"
    )
    return Explanation(
        "Security: the origin allow-list admits lookalikes"
        if credentials
        else "The origin allow-list admits lookalikes",
        f"cors-probe sent Origin {origin}, {kind}, and the server echoed it in "
        f"Access-Control-Allow-Origin, {risk}. Anyone can register such a name.",
        "Compare whole origins against an exact list (scheme, host and port), or anchor the "
        "pattern at both ends and escape its dots (`^https://app\\.example\\.com$`).",
    )


_LOADS = {
    "img": "an <img>",
    "no-cors": "a no-cors fetch()",
    "no-cors-include": "a credentialed no-cors fetch()",
}


def _cached_without_cors(f: Finding) -> Explanation:
    engines = [
        f"{name} after {' or '.join(_LOADS.get(x, x) for x in _detail(f, key, '').split(', '))}"
        for key, name in (("chrome", "Chrome"), ("firefox", "Firefox"), ("safari", "Safari"))
        if _detail(f, key, "")
    ]
    who = "; ".join(engines) if engines else "a browser that reuses it"
    return Explanation(
        "A cached answer without CORS headers will block fetch()",
        f"Without an Origin header (as an <img>, a no-cors fetch() or a navigation asks) the "
        f"server answers without an Access-Control-Allow-Origin for {f.page_origin}, and that "
        f"answer stays fresh in the browser's cache for {_detail(f, 'seconds', '?')} s "
        f"({_detail(f, 'freshness', '')}) with no `Vary: Origin`. A later fetch() from the page "
        f"is then served the cached copy and blocked ({who}): it works after a reload with the "
        "cache disabled, and fails for real users.",
        "Send `Vary: Origin` on every response of this resource (with or without CORS headers), "
        "or send the CORS headers whether or not the request has an Origin.",
    )


def _shared_cache_hit(f: Finding) -> Explanation:
    shown = ", ".join(
        f"{k}={detail_text(v)}" for k, v in f.detail.items() if k not in ("request", "hits")
    )
    return Explanation(
        "A cache answered",
        f"The answer to cors-probe's {_detail(f, 'request', '')} request came from a cache "
        f"({shown}; {_detail(f, 'hits', '1')} of the answers compared did): what cors-probe "
        "sees there may be another request's answer.",
        "Make sure the cache keys CORS answers on Origin (`Vary: Origin`), or purge it after a "
        "CORS change.",
    )


def _cached_for_another(f: Finding) -> Explanation:
    sent = _detail(f, "origin", "")
    asked = f"with Origin {sent}" if sent else "without an Origin"
    return Explanation(
        "One origin's answer served to others",
        f"cors-probe's request {asked} got `Access-Control-Allow-Origin: {f.value}`, your "
        "page's origin: a cache stored that answer for everybody, or the server names one "
        "site whatever the request. Other allowed origins get this answer too, and fail.",
        "Send `Vary: Origin` with every response and purge the cache; a server that allows "
        "several origins must echo the request's.",
    )


def _preflight_cached(f: Finding) -> Explanation:
    seconds = ", ".join(
        f"{name} {_detail(f, key, '0')} s"
        for key, name in (("chrome", "Chrome"), ("firefox", "Firefox"), ("safari", "Safari"))
        if key in f.detail
    )
    headers = _detail(f, "headers", "")
    covers = _detail(f, "methods", "") + (f" with {headers}" if headers else "")
    return Explanation(
        "Browsers will reuse this preflight",
        f"After this preflight a browser sends {covers} to this URL without asking again for "
        f"{seconds}: a change to the server's CORS answer is invisible there until then "
        '(so "it works in my browser" can be yesterday\'s preflight).',
        "Nothing to fix; wait for the cache to expire, or test in a fresh private window.",
    )


def _info(title: str, message: str, fix: str) -> Callable[[Finding], Explanation]:
    return lambda f: Explanation(title, message.format(f=f), fix.format(f=f))


BUILDERS: dict[C, Callable[[Finding], Explanation]] = {
    C.FORBIDDEN_METHOD: _forbidden_method,
    C.URL_CREDENTIALS: _url_credentials,
    C.BODY_NOT_ALLOWED: _body_not_allowed,
    C.FORBIDDEN_HEADER: _forbidden_header,
    C.USER_AGENT_DROPPED: _user_agent,
    C.CHROMIUM_ONLY_SAFELISTED: _client_hint,
    C.ACAO_MISSING: _acao_missing,
    C.ACAO_MISMATCH: _acao_mismatch,
    C.ACAO_MULTIPLE: _acao_multiple,
    C.ACAO_INVALID: _acao_invalid,
    C.WILDCARD_WITH_CREDENTIALS: _wildcard_credentials,
    C.ACAC_NOT_TRUE: _acac,
    C.PREFLIGHT_NOT_OK: _preflight_not_ok,
    C.PREFLIGHT_REDIRECT: _preflight_redirect,
    C.ACAM_UNPARSABLE: lambda f: _list_unparsable(f, "Access-Control-Allow-Methods"),
    C.ACAH_UNPARSABLE: lambda f: _list_unparsable(f, "Access-Control-Allow-Headers"),
    C.METHOD_NOT_ALLOWED: _method_not_allowed,
    C.HEADER_NOT_ALLOWED: _header_not_allowed,
    C.REDIRECT_USERINFO: _redirect_userinfo,
    C.REDIRECT_SCHEME: _redirect_scheme,
    C.TOO_MANY_REDIRECTS: _too_many_redirects,
    C.REDIRECT_TAINTED_ORIGIN: _tainted,
    C.REDIRECT_CHANGED_METHOD: _redirect_changed_method,
    C.UNREACHABLE: _unreachable,
    C.CONSENT_REQUIRED: _consent,
    C.VARY_ORIGIN_MISSING: _vary,
    C.WILDCARD_WITH_ACAC: _wildcard_acac,
    C.MAX_AGE_MISSING: _max_age_missing,
    C.MAX_AGE_CAPPED: _max_age_capped,
    C.MAX_AGE_INVALID: _max_age_invalid,
    C.AUTHORIZATION_WILDCARD: _authorization_wildcard,
    C.REQUEST_REACHED_SERVER: _reached_server,
    C.ERROR_STATUS_WITHOUT_CORS: _error_status,
    C.FETCH_METADATA_REFUSAL: _isolation_refusal,
    C.ORIGIN_REFLECTED_WITH_CREDENTIALS: _reflected,
    C.LOCAL_NETWORK_ACCESS: _local_network,
    C.NO_CORS_METHOD: _no_cors_method,
    C.NO_CORS_HEADER_DROPPED: _no_cors_header,
    C.NO_CORS_REDIRECT_MODE: _no_cors_redirect_mode,
    C.SAME_ORIGIN_MODE: _same_origin_mode,
    C.OPAQUE_RESPONSE: _opaque_response,
    C.CORP_BLOCKED: _corp_blocked,
    C.REDIRECT_MODE_ERROR: _redirect_mode_error,
    C.OPAQUE_REDIRECT: _opaque_redirect,
    C.CACHED_WITHOUT_CORS: _cached_without_cors,
    C.SHARED_CACHE_HIT: _shared_cache_hit,
    C.CORS_CACHED_FOR_ANOTHER_ORIGIN: _cached_for_another,
    C.ORIGIN_PATTERN_UNANCHORED: lambda f: _lookalike(f, credentials=False),
    C.PREFLIGHT_CACHED: _preflight_cached,
    C.LOCAL_NETWORK_DENIED: _local_network_denied,
    C.LOCAL_NETWORK_INSECURE_PAGE: _local_network_insecure,
    C.MIXED_CONTENT: _mixed_content,
    C.SAME_ORIGIN: _info(
        "Same-origin request: CORS does not apply",
        "The page's origin {f.page_origin} is the URL's origin, so the browser sends the request "
        "as is and the page can read the response; no CORS header is needed.",
        "Nothing to fix.",
    ),
    C.THIRD_PARTY_ORIGIN: _info(
        "Probed as an unrelated site",
        "No --origin was given, so cors-probe played a page on {f.page_origin}, a site no "
        "allow-list should contain: this shows what any third-party site gets.",
        "Pass --origin with your front end's origin to check your own page.",
    ),
    C.OPAQUE_ORIGIN: _info(
        "Opaque origin `null`",
        "The page's origin is `null` (a sandboxed iframe, a data: document, or a file:// page "
        "in Chromium). Only `Access-Control-Allow-Origin: null` or `*` can match it.",
        "Allowing `null` lets any sandboxed page on any site in; prefer serving the page from a "
        "real origin.",
    ),
    C.HEADERS_NOT_EXPOSED: _info(
        "Some response headers are hidden from script",
        "Script can read only the CORS-safelisted response headers and those in "
        "Access-Control-Expose-Headers; response.headers.get() returns null for: "
        "{f.detail[names]}.",
        "If the page needs one, list it: `Access-Control-Expose-Headers: <name>`.",
    ),
    C.THIRD_PARTY_COOKIES: _info(
        "Third-party cookies may not be sent",
        "The request includes credentials. Even with perfect CORS headers, Safari (ITP) and "
        "Firefox (Total Cookie Protection) block or partition third-party cookies; Chrome still "
        "sends them, except in Incognito or when the user blocks them. That changes what the "
        "server sees, not the CORS verdict; the cookie-* findings tell each cookie's fate.",
        "Prefer a same-site API host, or tokens in Authorization over cookies.",
    ),
}


def _cookie(words: Callable[[Finding], _cookies.Explanation]) -> Callable[[Finding], Explanation]:
    """A cookie finding's words (explain/cookies.py); only Firefox prints a console line."""
    return lambda f: Explanation(*words(f)[:3], firefox=words(f).firefox)


BUILDERS.update(
    {
        C.COOKIE_REJECTED: _cookie(_cookies.cookie_rejected),
        C.COOKIE_NOT_SENT_CROSS_SITE: _cookie(_cookies.cookie_not_sent_cross_site),
        C.THIRD_PARTY_COOKIES_BLOCKED: _cookie(_cookies.third_party_cookies_blocked),
        C.COOKIE_PARTITIONED: _cookie(_cookies.cookie_partitioned),
        C.COOKIE_IGNORED_WITHOUT_CREDENTIALS: _cookie(_cookies.cookie_ignored),
        C.COOKIE_SAMESITE_INVALID: _cookie(_cookies.cookie_samesite_invalid),
    }
)


def explain(finding: Finding) -> Explanation:
    """The words for one finding, with its fix as headers where it is one (explain.fixes).
    Built field by field, not with `dataclasses.replace` (twice as slow, once per finding of
    every entry; tests/explain/test_catalogue.py holds `Explanation`'s fields to these)."""
    words = BUILDERS[finding.code](finding)
    return Explanation(
        words.title,
        words.message,
        words.fix,
        words.chrome,
        words.firefox,
        words.safari,
        header_fix.header_fixes(finding),
    )
