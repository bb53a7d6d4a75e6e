"""A redirect that changes the method (https://fetch.spec.whatwg.org/#http-redirect-fetch step
12): 301/302 turn POST into GET, 303 anything but GET/HEAD; the body is dropped. Told as
`redirect-changed-method`, a warning when the request had a body."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cors_probe.codes import FindingCode as C
from cors_probe.model import Headers, Origin, RequestShape, Severity, WireResponse
from cors_probe.policy.browsers import BROWSERS, Browser
from cors_probe.policy.conversation import Send, converse, drive

PAGE = Origin("https", "app.example")
FIRST = "https://api.example/items"
TARGET = "https://api.example/items/"
ALLOW = (
    ("Access-Control-Allow-Origin", "https://app.example"),
    ("Access-Control-Allow-Methods", "PUT, PATCH, DELETE"),
)


def answer(status: int) -> Callable[[Send], WireResponse]:
    def reply(step: Send) -> WireResponse:
        if step.request.url == FIRST and step.request.method != "OPTIONS":
            return WireResponse(status, Headers((*ALLOW, ("Location", TARGET))))
        return WireResponse(200, Headers(ALLOW))

    return reply


@pytest.mark.parametrize("browser", BROWSERS, ids=lambda b: b.name)
@pytest.mark.parametrize(
    ("status", "method", "body", "expected"),
    [
        (301, "POST", b"a=1", ("GET", Severity.WARNING)),
        (302, "POST", b"a=1", ("GET", Severity.WARNING)),
        (302, "POST", None, ("GET", Severity.INFO)),
        (303, "PUT", b"{}", ("GET", Severity.WARNING)),
        (303, "DELETE", None, ("GET", Severity.INFO)),
        (303, "POST", b"a=1", ("GET", Severity.WARNING)),
        (301, "PUT", b"{}", None),
        (302, "PATCH", b"{}", None),
        (303, "GET", None, None),
        (303, "HEAD", None, None),
        (307, "POST", b"a=1", None),
        (308, "POST", b"a=1", None),
    ],
)
def test_a_method_changed_by_a_redirect_is_told(
    browser: Browser,
    status: int,
    method: str,
    body: bytes | None,
    expected: tuple[str, Severity] | None,
) -> None:
    shape = RequestShape(FIRST, PAGE, method, body=body)
    outcome = drive(converse(shape, browser), answer(status))
    found = [f for f in outcome.findings if f.code is C.REDIRECT_CHANGED_METHOD]
    actual = [e.request.method for e in outcome.exchanges if e.request.method != "OPTIONS"]
    if expected is None:
        assert found == []
        assert actual == [method, method]
        return
    to_method, severity = expected
    (finding,) = found
    assert finding.severity is severity
    assert (finding.status, finding.url, finding.value) == (status, FIRST, TARGET)
    assert dict(finding.detail) == {
        "from_method": method,
        "to_method": to_method,
        "location": TARGET,
        "body_dropped": body is not None,
    }
    assert actual == [method, to_method]
    assert outcome.exchanges[-1].request.body is None
