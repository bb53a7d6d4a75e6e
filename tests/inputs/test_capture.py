"""From a captured request to the script's request and the flags that replace it
(inputs/capture.py: derive)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cors_probe.errors import UsageError
from cors_probe.inputs.capture import CapturedRequest, Overrides, derive
from cors_probe.inputs.request import build
from cors_probe.model import RequestMode

API = "http://127.0.0.1:5000/api/items/1?x=1"
PAGE = "http://127.0.0.1:4000"

PUT = CapturedRequest(
    url=API,
    method="PUT",
    headers=(
        ("Content-Type", "application/json"),
        ("X-Token", "abc"),
        ("Accept", "*/*"),
        ("Origin", PAGE),
        ("Sec-Fetch-Mode", "cors"),
        ("Referer", "http://127.0.0.1:4001/elsewhere"),
        ("Accept-Language", "en-US,en;q=0.9"),
        ("Cookie", "sid=s3cr3t"),
    ),
    body=b'{"a": 1}',
    source="curl",
    engine="chrome",
)

ORIGINS = [
    pytest.param(PUT, PAGE, "Origin", id="Origin header first"),
    pytest.param(
        replace(PUT, headers=(("Referer", "http://127.0.0.1:4001/app/page?q=1"),)),
        "http://127.0.0.1:4001",
        "Referer",
        id="else the Referer's origin",
    ),
    pytest.param(
        replace(PUT, headers=(), referrer="https://app.example:8443/x", source="fetch"),
        "https://app.example:8443",
        "referrer",
        id="else fetch()'s referrer option",
    ),
    pytest.param(replace(PUT, headers=(("Origin", "null"),)), "null", "Origin", id="Origin: null"),
    pytest.param(
        replace(PUT, headers=(("Referer", "about:client"),), referrer=""),
        None,
        None,
        id="no page: an unrelated third-party site",
    ),
]


@pytest.mark.parametrize(("captured", "origin", "origin_from"), ORIGINS)
def test_the_page_origin(
    captured: CapturedRequest, origin: str | None, origin_from: str | None
) -> None:
    options, derivation = derive(captured)
    assert (options.origin, derivation.origin_from) == (origin, origin_from)


CREDENTIALS = [
    pytest.param(PUT, True, "Cookie", "sid=s3cr3t", id="a captured Cookie"),
    pytest.param(
        replace(PUT, headers=(), credentials="include", source="fetch"),
        True,
        "credentials",
        None,
        id="fetch()'s credentials: include",
    ),
    pytest.param(
        replace(PUT, headers=(), credentials="same-origin"), False, None, None, id="same-origin"
    ),
    pytest.param(replace(PUT, headers=()), False, None, None, id="nothing said"),
]


@pytest.mark.parametrize(("captured", "include", "why", "cookie"), CREDENTIALS)
def test_credentials(
    captured: CapturedRequest, include: bool, why: str | None, cookie: str | None
) -> None:
    options, derivation = derive(captured)
    assert (options.credentials, derivation.credentials_from, options.cookie) == (
        include,
        why,
        cookie,
    )


def test_the_script_request_and_what_was_dropped() -> None:
    options, derivation = derive(PUT)
    assert (options.url, options.method, options.body) == (API, "PUT", b'{"a": 1}')
    assert list(options.headers) == ["Content-Type: application/json", "X-Token: abc"]
    assert [(d.name, d.reason) for d in derivation.dropped] == [
        ("Accept", "engine-default"),
        ("Origin", "forbidden"),
        ("Sec-Fetch-Mode", "sec"),
        ("Referer", "forbidden"),
        ("Accept-Language", "engine-default"),
        ("Cookie", "cookie"),
    ]
    assert (derivation.source, derivation.engine, derivation.overridden) == ("curl", "chrome", ())
    shape = build(options)
    assert shape.body == b'{"a": 1}'
    assert shape.origin.serialise() == PAGE
    assert shape.credentials
    assert shape.cookie == "sid=s3cr3t"


OVERRIDES = [
    pytest.param(
        Overrides(origin="https://other.example"),
        "origin",
        "https://other.example",
        ["--origin"],
        id="--origin",
    ),
    pytest.param(Overrides(method="PATCH"), "method", "PATCH", ["-X"], id="-X"),
    pytest.param(
        Overrides(headers=("x-token: new", "X-New: 1")),
        "headers",
        ("Content-Type: application/json", "x-token: new", "X-New: 1"),
        ["-H x-token", "-H X-New"],
        id="-H replaces a derived header of its name, adds the others",
    ),
    pytest.param(Overrides(cookie="sid=other"), "cookie", "sid=other", ["--cookie"], id="--cookie"),
    pytest.param(Overrides(data="plain"), "data", "plain", ["--data"], id="--data"),
    pytest.param(
        Overrides(mode=RequestMode.NO_CORS), "mode", RequestMode.NO_CORS, ["--mode"], id="--mode"
    ),
    pytest.param(
        Overrides(url="http://127.0.0.1:6000/"), "url", "http://127.0.0.1:6000/", ["URL"], id="URL"
    ),
]


@pytest.mark.parametrize(("overrides", "field", "value", "named"), OVERRIDES)
def test_flags_win_and_are_named(
    overrides: Overrides, field: str, value: object, named: list[str]
) -> None:
    options, derivation = derive(PUT, overrides)
    assert getattr(options, field) == value
    assert list(derivation.overridden) == named


def test_data_replaces_the_captured_body() -> None:
    options, _ = derive(PUT, Overrides(data="plain"))
    assert build(options).body == b"plain"


def test_credentials_flag_on_an_uncredentialed_capture() -> None:
    options, derivation = derive(replace(PUT, headers=()), Overrides(credentials=True))
    assert options.credentials
    assert (derivation.credentials_from, derivation.overridden) == ("flag", ("--credentials",))


def test_an_empty_captured_body_stays_a_body() -> None:
    options, derivation = derive(replace(PUT, method="POST", body=b"", headers=()))
    assert build(options).body == b""
    assert derivation.dropped == ()


@pytest.mark.parametrize(
    ("captured", "overrides", "message"),
    [
        (replace(PUT, mode="navigate"), None, "captured mode 'navigate'"),
        (replace(PUT, engine="opera"), None, "unknown capturing engine 'opera'"),
        (PUT, Overrides(headers=("no colon",)), "has no colon"),
    ],
)
def test_mistakes_are_usage_errors(
    captured: CapturedRequest, overrides: Overrides | None, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        derive(captured, overrides)


@pytest.mark.parametrize(
    ("headers", "option", "mode"),
    [
        ((("Sec-Fetch-Mode", "no-cors"),), "cors", RequestMode.NO_CORS),  # DevTools writes cors
        ((("Sec-Fetch-Mode", "same-origin"),), None, RequestMode.SAME_ORIGIN),
        ((("Sec-Fetch-Mode", "navigate"),), "no-cors", RequestMode.NO_CORS),
        ((), "no-cors", RequestMode.NO_CORS),
        ((), None, RequestMode.CORS),
    ],
)
def test_the_mode_sent_wins_over_the_copied_option(
    headers: tuple[tuple[str, str], ...], option: str | None, mode: RequestMode
) -> None:
    options, _ = derive(replace(PUT, headers=headers, mode=option))
    assert options.mode is mode
