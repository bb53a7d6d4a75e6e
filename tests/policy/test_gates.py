"""The gates before any request: address spaces, secure contexts, Mixed Content and Local Network
Access, alone and inside the conversation (no network: a hand-built resolver and answers).

Sources: https://wicg.github.io/local-network-access/ (address spaces, Chromium's names),
https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy,
https://w3c.github.io/webappsec-mixed-content/#should-block-fetch; what the engines do is measured
by tests/browser/test_gates.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.model import (
    AddressSpace,
    ExchangeKind,
    Headers,
    LocalNetworkPermission,
    Origin,
    RequestShape,
    Severity,
    Stage,
    Verdict,
    WireResponse,
)
from cors_probe.policy.browsers import CHROMIUM, FIREFOX, WEBKIT, Browser
from cors_probe.policy.conversation import Reply, Send, converse, drive
from cors_probe.policy.findings import Where
from cors_probe.policy.gates import (
    Target,
    address_space,
    host_space,
    local_network,
    mixed_content,
    page_space,
    secure_context,
    target_of,
)
from cors_probe.policy.metadata import potentially_trustworthy
from cors_probe.policy.origin import parse_origin
from cors_probe.policy.url import Url, parse_url

PUBLIC, LOCAL, LOOPBACK = AddressSpace.PUBLIC, AddressSpace.LOCAL, AddressSpace.LOOPBACK
GRANTED, DENIED, PROMPT = (
    LocalNetworkPermission.GRANTED,
    LocalNetworkPermission.DENIED,
    LocalNetworkPermission.PROMPT,
)


def url(text: str) -> Url:
    parsed = parse_url(text)
    assert isinstance(parsed, Url)
    return parsed


def origin(text: str) -> Origin:
    parsed = parse_origin(text)
    assert isinstance(parsed, Origin)
    return parsed


@pytest.mark.parametrize(
    ("address", "space"),
    [
        ("127.0.0.1", LOOPBACK),
        ("127.255.0.9", LOOPBACK),
        ("::1", LOOPBACK),
        ("[::1]", LOOPBACK),
        ("::ffff:127.0.0.1", LOOPBACK),
        ("10.1.2.3", LOCAL),
        ("172.16.0.1", LOCAL),
        ("172.31.255.254", LOCAL),
        ("192.168.0.1", LOCAL),
        ("169.254.1.1", LOCAL),
        ("100.64.0.1", LOCAL),
        ("fc00::1", LOCAL),
        ("fe80::1", LOCAL),
        ("::ffff:192.168.1.1", LOCAL),
        ("172.32.0.1", PUBLIC),
        ("93.184.216.34", PUBLIC),
        ("2001:4860:4860::8888", PUBLIC),
        ("not-an-ip", None),
        ("api.example", None),
    ],
)
def test_address_space(address: str, space: AddressSpace | None) -> None:
    assert address_space(address) == space


@pytest.mark.parametrize(
    ("host", "space"),
    [
        ("localhost", LOOPBACK),
        ("LOCALHOST.", LOOPBACK),
        ("app.localhost", LOOPBACK),
        ("localhost.example", None),
        ("10.0.0.1", LOCAL),
        ("[::1]", LOOPBACK),
        ("printer.lan", None),
    ],
)
def test_host_space(host: str, space: AddressSpace | None) -> None:
    assert host_space(host) == space


@pytest.mark.parametrize(
    ("scheme", "host", "trustworthy"),
    [
        ("https", "api.example", True),
        ("wss", "api.example", True),
        ("http", "127.0.0.1", True),
        ("http", "127.9.9.9", True),
        ("http", "[::1]", True),
        ("http", "localhost", True),
        ("http", "dev.localhost", True),
        ("http", "api.example", False),
        ("http", "10.0.0.1", False),
        ("http", "localhost.example", False),
    ],
)
def test_potentially_trustworthy(scheme: str, host: str, trustworthy: bool) -> None:
    assert potentially_trustworthy(scheme, host) is trustworthy


@pytest.mark.parametrize(
    ("page", "secure"),
    [
        (origin("https://app.example"), True),
        (origin("http://localhost:3000"), True),
        (origin("http://127.0.0.1:8000"), True),
        (origin("http://app.example"), False),
        (origin("http://192.168.1.10"), False),
        (Origin.null(), False),
    ],
)
def test_secure_context(page: Origin, secure: bool) -> None:
    assert secure_context(page) is secure


@pytest.mark.parametrize(
    ("page", "explicit", "address", "expected"),
    [
        (origin("https://app.example"), PUBLIC, None, (PUBLIC, False)),
        (origin("http://127.0.0.1:8000"), PUBLIC, None, (PUBLIC, False)),
        (origin("http://127.0.0.1:8000"), None, None, (LOOPBACK, False)),
        (origin("http://localhost:3000"), None, None, (LOOPBACK, False)),
        (origin("http://192.168.1.10"), None, None, (LOCAL, False)),
        (origin("http://[::1]:8080"), None, None, (LOOPBACK, False)),
        (origin("https://intranet.corp"), None, "10.2.3.4", (LOCAL, False)),
        (origin("https://app.example"), None, "93.184.216.34", (PUBLIC, False)),
        (origin("https://app.example"), None, None, (PUBLIC, True)),
        (Origin.null(), None, None, (None, False)),
        (Origin.null(), LOCAL, None, (LOCAL, False)),
    ],
)
def test_page_space(
    page: Origin,
    explicit: AddressSpace | None,
    address: str | None,
    expected: tuple[AddressSpace | None, bool],
) -> None:
    assert page_space(page, explicit, address) == expected


WHERE = Where(Stage.REQUEST, "http://x/", "", "https://app.example")


@pytest.mark.parametrize(
    ("page", "target", "browser", "blocked"),
    [
        ("https://app.example", "http://api.example/x", CHROMIUM, True),
        ("https://app.example", "http://api.example/x", FIREFOX, True),
        ("https://app.example", "http://api.example/x", WEBKIT, True),
        ("https://app.example", "http://10.0.0.5/x", CHROMIUM, True),
        ("https://app.example", "https://api.example/x", CHROMIUM, False),
        ("https://app.example", "http://127.0.0.1:8080/x", CHROMIUM, False),
        ("https://app.example", "http://localhost:8080/x", FIREFOX, False),
        ("https://app.example", "http://[::1]:8080/x", CHROMIUM, False),
        ("https://app.example", "http://127.0.0.1:8080/x", WEBKIT, True),
        ("https://app.example", "http://dev.localhost/x", WEBKIT, True),
        ("http://app.example", "http://api.example/x", CHROMIUM, False),
        ("http://localhost:3000", "http://api.example/x", CHROMIUM, False),
    ],
)
def test_mixed_content(page: str, target: str, browser: Browser, blocked: bool) -> None:
    found = mixed_content(origin(page), url(target), browser, WHERE)
    assert (found is not None) is blocked
    if found is not None:
        assert (found.code, found.severity) == (C.MIXED_CONTENT, Severity.ERROR)
        assert found.detail["page_url"] == page + "/"


def test_mixed_content_from_an_opaque_page_is_not_judged() -> None:
    assert mixed_content(Origin.null(), url("http://api.example/"), CHROMIUM, WHERE) is None


@dataclass(frozen=True)
class GateCase:
    name: str
    page: str
    space: AddressSpace | None
    target: Target | None
    permission: LocalNetworkPermission | None
    code: C | None
    severity: Severity | None = None
    browser: Browser = CHROMIUM


LOOP = Target("127.0.0.1", LOOPBACK)
LAN = Target("192.168.1.7", LOCAL)
WAN = Target("93.184.216.34", PUBLIC)
GATES = [
    GateCase("insecure-public-to-loopback", "http://app.example", PUBLIC, LOOP, None,
             C.LOCAL_NETWORK_INSECURE_PAGE, Severity.ERROR),
    GateCase("insecure-public-to-local", "http://app.example", PUBLIC, LAN, GRANTED,
             C.LOCAL_NETWORK_INSECURE_PAGE, Severity.ERROR),
    GateCase("insecure-local-to-loopback", "http://192.168.1.2", LOCAL, LOOP, None,
             C.LOCAL_NETWORK_INSECURE_PAGE, Severity.ERROR),
    GateCase("secure-prompt", "https://app.example", PUBLIC, LOOP, None,
             C.LOCAL_NETWORK_ACCESS, Severity.WARNING),
    GateCase("secure-prompt-said", "https://app.example", PUBLIC, LAN, PROMPT,
             C.LOCAL_NETWORK_ACCESS, Severity.WARNING),
    GateCase("secure-granted", "https://app.example", PUBLIC, LAN, GRANTED,
             C.LOCAL_NETWORK_ACCESS, Severity.INFO),
    GateCase("secure-denied", "https://app.example", PUBLIC, LOOP, DENIED,
             C.LOCAL_NETWORK_DENIED, Severity.ERROR),
    GateCase("loopback-host-page-told-public", "http://127.0.0.1:8000", PUBLIC, LOOP, DENIED,
             C.LOCAL_NETWORK_DENIED, Severity.ERROR),
    GateCase("same-space-loopback", "http://localhost:3000", LOOPBACK, LOOP, None, None),
    GateCase("same-space-local", "http://192.168.1.2", LOCAL, LAN, None, None),
    GateCase("more-public-target", "http://192.168.1.2", LOCAL, WAN, None, None),
    GateCase("loopback-page-to-local", "http://localhost:3000", LOOPBACK, LAN, None, None),
    GateCase("public-to-public", "http://app.example", PUBLIC, WAN, None, None),
    GateCase("no-page-space-opaque", "null", None, LOOP, None, None),
    GateCase("target-unknown", "https://app.example", PUBLIC, None, None, None),
    GateCase("firefox-asks-an-insecure-page", "http://app.example", PUBLIC, LOOP, None,
             C.LOCAL_NETWORK_ACCESS, Severity.WARNING, browser=FIREFOX),
    GateCase("firefox-denied-insecure-page", "http://app.example", PUBLIC, LOOP, DENIED,
             C.LOCAL_NETWORK_DENIED, Severity.ERROR, browser=FIREFOX),
    GateCase("firefox-granted", "https://app.example", PUBLIC, LAN, GRANTED,
             C.LOCAL_NETWORK_ACCESS, Severity.INFO, browser=FIREFOX),
    GateCase("webkit-has-none", "http://app.example", PUBLIC, LOOP, None, None, browser=WEBKIT),
]  # fmt: skip


@pytest.mark.parametrize("case", GATES, ids=[c.name for c in GATES])
def test_local_network_gate(case: GateCase) -> None:
    page = Origin.null() if case.page == "null" else origin(case.page)
    found = local_network(
        page, case.space, False, case.permission, case.target, case.browser, WHERE
    )
    assert (found.code if found else None) is case.code
    if found is not None and case.target is not None and case.space is not None:
        assert found.severity is case.severity
        assert found.detail["address"] == case.target.address
        assert found.detail["space"] == case.target.space.value
        assert found.detail["page_space"] == case.space.value
        assert found.detail["assumed"] is False
        if found.code is not C.LOCAL_NETWORK_INSECURE_PAGE:
            assert found.detail["permission"] == (case.permission or PROMPT).value


def test_an_assumed_page_space_is_said() -> None:
    found = local_network(origin("https://app.example"), PUBLIC, True, None, LOOP, CHROMIUM, WHERE)
    assert found is not None
    assert found.detail["assumed"] is True


@pytest.mark.parametrize(
    ("target", "known", "expected"),
    [
        ("http://127.0.0.1:8080/x", {}, Target("127.0.0.1", LOOPBACK)),
        ("http://[::1]:8080/x", {}, Target("::1", LOOPBACK)),
        ("http://localhost:8080/x", {}, Target("127.0.0.1", LOOPBACK)),
        ("http://printer.lan/x", {"printer.lan": "192.168.1.7"}, Target("192.168.1.7", LOCAL)),
        (
            "https://api.example/x",
            {"api.example": "93.184.216.34"},
            Target("93.184.216.34", PUBLIC),
        ),
        ("http://printer.lan/x", {}, None),
    ],
)
def test_target_of(target: str, known: dict[str, str], expected: Target | None) -> None:
    assert target_of(url(target), known.get) == expected


def test_without_a_resolver_a_name_is_not_gated() -> None:
    assert target_of(url("http://printer.lan/"), None) is None


# --- inside the conversation ---------------------------------------------------------------

HOSTS = {"public.example": "93.184.216.34", "printer.lan": "192.168.1.7"}


def gate_shape(
    target: str,
    page: str = "https://app.example",
    *,
    method: str = "GET",
    headers: tuple[tuple[str, str], ...] = (),
    permission: LocalNetworkPermission | None = None,
    space: AddressSpace | None = PUBLIC,
) -> RequestShape:
    return RequestShape(
        target,
        origin(page),
        method,
        Headers(headers),
        page_address_space=space,
        local_network=permission,
    )


def nothing_may_be_sent(step: Send) -> Reply:
    raise AssertionError(f"sent {step.request.method} {step.request.url}")


def allow(page: str) -> WireResponse:
    return WireResponse(
        200,
        Headers.of(
            ("Access-Control-Allow-Origin", page),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "x-gate"),
        ),
    )


BLOCKED_BEFORE_SENDING = [
    ("insecure-page", gate_shape("http://127.0.0.1:9/x", "http://app.example"),
     C.LOCAL_NETWORK_INSECURE_PAGE),
    ("insecure-page-preflighted", gate_shape("http://127.0.0.1:9/x", "http://app.example",
     method="PUT", headers=(("X-Gate", "1"),)), C.LOCAL_NETWORK_INSECURE_PAGE),
    ("denied", gate_shape("https://printer.lan/x", permission=DENIED), C.LOCAL_NETWORK_DENIED),
    ("denied-preflighted", gate_shape("http://localhost:8080/x", permission=DENIED, method="PUT",
     headers=(("X-Gate", "1"),)), C.LOCAL_NETWORK_DENIED),
    ("mixed", gate_shape("http://public.example/x"), C.MIXED_CONTENT),
    ("mixed-before-lna", gate_shape("http://printer.lan/x", permission=DENIED), None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("shape", "code"),
    [b[1:] for b in BLOCKED_BEFORE_SENDING],
    ids=[b[0] for b in BLOCKED_BEFORE_SENDING],
)
def test_a_gate_blocks_before_anything_is_sent(shape: RequestShape, code: C | None) -> None:
    outcome = drive(converse(shape, CHROMIUM, HOSTS.get), nothing_may_be_sent)
    assert outcome.verdict is Verdict.BLOCKED
    assert outcome.exchanges == ()
    assert outcome.decisive is not None
    # printer.lan over http from an https page: mixed content is judged first, as in Chromium
    assert outcome.decisive.code is (code or C.MIXED_CONTENT)
    assert outcome.decisive.stage is Stage.REQUEST


def test_granted_the_conversation_goes_on_and_says_so() -> None:
    shape = gate_shape(
        "http://localhost:8080/x",
        "http://127.0.0.1:3000",
        method="PUT",
        headers=(("X-Gate", "1"),),
        permission=GRANTED,
    )
    sent: list[Send] = []

    def answer(step: Send) -> Reply:
        sent.append(step)
        return allow("http://127.0.0.1:3000")

    outcome = drive(converse(shape, CHROMIUM, HOSTS.get), answer)
    assert outcome.verdict is Verdict.ALLOWED
    assert [s.kind for s in sent] == [ExchangeKind.PREFLIGHT, ExchangeKind.ACTUAL]
    assert not any(
        n.lower().startswith("access-control-request-private")
        for s in sent
        for n, _ in s.request.headers
    )
    gate = [f for f in outcome.findings if f.code is C.LOCAL_NETWORK_ACCESS]
    assert [(g.severity, g.detail["permission"]) for g in gate] == [(Severity.INFO, "granted")]


def test_prompt_the_verdict_is_the_cors_one_with_a_warning() -> None:
    shape = gate_shape("https://printer.lan/x")
    outcome = drive(converse(shape, CHROMIUM, HOSTS.get), lambda _: allow("https://app.example"))
    assert outcome.verdict is Verdict.ALLOWED
    (gate,) = [f for f in outcome.findings if f.code is C.LOCAL_NETWORK_ACCESS]
    assert (gate.severity, gate.detail["permission"], gate.detail["space"]) == (
        Severity.WARNING,
        "prompt",
        "local",
    )


def redirect_to(location: str) -> WireResponse:
    return WireResponse(
        302, Headers.of(("Location", location), ("Access-Control-Allow-Origin", "*"))
    )


@pytest.mark.parametrize(
    ("first", "location", "permission", "code"),
    [
        ("https://public.example/x", "https://printer.lan/y", DENIED, C.LOCAL_NETWORK_DENIED),
        ("https://public.example/x", "http://127.0.0.1:9/y", DENIED, C.LOCAL_NETWORK_DENIED),
        ("https://public.example/x", "http://public.example/y", GRANTED, C.MIXED_CONTENT),
    ],
)
def test_every_hop_of_a_redirect_is_gated(
    first: str, location: str, permission: LocalNetworkPermission, code: C
) -> None:
    sent: list[str] = []

    def answer(step: Send) -> Reply:
        sent.append(step.request.url)
        return redirect_to(location)

    shape = gate_shape(first, permission=permission)
    outcome = drive(converse(shape, CHROMIUM, HOSTS.get), answer)
    assert sent == [first]
    assert outcome.verdict is Verdict.BLOCKED
    assert outcome.decisive is not None
    assert (outcome.decisive.code, outcome.decisive.url) == (code, location)
    assert outcome.decisive.first_url == first


def test_an_opaque_page_meets_no_local_network_gate() -> None:
    shape = replace(gate_shape("http://127.0.0.1:9/x", space=None), origin=Origin.null())
    outcome = drive(converse(shape, CHROMIUM), lambda _: allow("null"))
    assert outcome.verdict is Verdict.ALLOWED
    assert not any(f.code.value.startswith("local-network") for f in outcome.findings)


def test_a_local_page_calling_its_own_network_meets_no_gate() -> None:
    shape = gate_shape("http://printer.lan/x", "http://192.168.1.2", space=LOCAL)
    outcome = drive(converse(shape, CHROMIUM, HOSTS.get), lambda _: allow("http://192.168.1.2"))
    assert outcome.verdict is Verdict.ALLOWED
    assert not any(f.code.value.startswith("local-network") for f in outcome.findings)


def test_cors_probes_own_page_meets_no_mixed_content() -> None:
    """Without --origin cors-probe plays an https third-party page that stands for any site, http
    ones too: an http:// API is judged on CORS, not refused as mixed content."""
    shape = replace(gate_shape("http://public.example/x", space=PUBLIC), origin_given=False)
    outcome = drive(converse(shape, CHROMIUM, HOSTS.get), lambda _: allow("https://app.example"))
    assert outcome.verdict is Verdict.ALLOWED
    assert C.MIXED_CONTENT not in {f.code for f in outcome.findings}
