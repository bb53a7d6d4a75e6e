"""A check whose shape carries its parsed URL (a policy file's) parses it nowhere again: neither
`prepare` nor the consent asked per origin (usecases/check.py `_origin`)."""

from __future__ import annotations

import pytest

from cors_probe.model import Headers, Origin, RequestShape, WireRequest, WireResponse
from cors_probe.policy import conversation
from cors_probe.policy.url import Url, UrlError, parse_url
from cors_probe.usecases import check


def _refuse(text: str, base: Url | None = None) -> Url | UrlError:
    raise AssertionError(f"parsed again: {text}")


def test_consent_is_asked_for_the_shapes_parsed_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    url = parse_url("https://API.example.com:443/items/1")
    assert isinstance(url, Url)
    shape = RequestShape(
        url=url.serialise(),
        origin=Origin("https", "app.example.com"),
        method="DELETE",
        headers=Headers(()),
        parsed_url=url,
    )
    monkeypatch.setattr(conversation, "parse_url", _refuse)
    monkeypatch.setattr(check, "parse_url", _refuse)
    asked: list[str] = []

    def consent(request: WireRequest) -> bool:
        asked.append(request.url)
        return False

    def send(request: WireRequest) -> WireResponse:
        allow = (
            ("Access-Control-Allow-Origin", "https://app.example.com"),
            ("Access-Control-Allow-Methods", "DELETE"),
        )
        return WireResponse(status=204, headers=Headers(allow))

    report = check.run(shape, send, consent=consent)
    assert asked == ["https://api.example.com/items/1"]
    assert report.outcome.exchanges[-1].withheld


def test_origin_of_another_hop_is_parsed_from_its_text() -> None:
    known = parse_url("https://api.example.com/a")
    assert isinstance(known, Url)
    assert check._origin("https://other.example.net:8443/b", known) == (
        "https://other.example.net:8443"
    )
    assert check._origin("https://api.example.com/a", known) == "https://api.example.com"
