"""The words for engines side by side: the verdict line and the rule that splits two engines."""

from __future__ import annotations

from cors_probe.explain.engines import split, verdict_line
from cors_probe.model import Headers, Origin, RequestShape, WireRequest, WireResponse
from cors_probe.policy.browsers import BROWSERS
from cors_probe.usecases import check

PAGE = Origin("https", "app.example")
URL = "https://api.example/v1/items"


def test_a_server_that_answers_each_engine_differently_is_named_as_the_cause() -> None:
    def send(request: WireRequest) -> WireResponse:
        if "Firefox" in (request.headers.get("User-Agent") or ""):
            return WireResponse(403, Headers())
        return WireResponse(200, Headers.of(("Access-Control-Allow-Origin", "*")))

    report = check.run(RequestShape(URL, PAGE), send, browsers=BROWSERS)
    assert verdict_line(report) == "Chrome: allowed · Firefox: blocked · Safari: allowed"
    reason = split(report, report.others[0])
    assert reason is not None
    assert reason.startswith("the server answered Chrome's and Firefox's actual differently")
    assert "status 200 and 403" in reason


def test_an_engine_that_could_not_reach_the_server_is_said_so() -> None:
    def send(request: WireRequest) -> WireResponse:
        from cors_probe.errors import ProbeError
        from cors_probe.model import FailureKind

        if "Firefox" in (request.headers.get("User-Agent") or ""):
            raise ProbeError(FailureKind.PROTOCOL, "Server disconnected")
        return WireResponse(200, Headers.of(("Access-Control-Allow-Origin", "*")))

    report = check.run(RequestShape(URL, PAGE), send, browsers=BROWSERS)
    assert split(report, report.others[0]) == (
        "Firefox could not reach the server (Server disconnected)"
    )


def test_a_dry_run_says_not_sent_rather_than_allowed() -> None:
    report = check.dry_run(RequestShape(URL, PAGE), BROWSERS)
    assert verdict_line(report) == (
        "Chrome: not sent (dry run) · Firefox: not sent (dry run) · Safari: not sent (dry run)"
    )
    refused = check.dry_run(RequestShape(URL, PAGE, "TRACE"), BROWSERS)
    assert verdict_line(refused).startswith("Chrome: blocked")
