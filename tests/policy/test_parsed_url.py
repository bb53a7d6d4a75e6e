"""`RequestShape.parsed_url`: a URL its builder parsed already is not parsed again by `prepare`,
and a stale one (the shape's url replaced) is never used."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cors_probe.inputs.policyfile import load_policy
from cors_probe.model import Origin, RequestShape
from cors_probe.policy import conversation
from cors_probe.policy.conversation import Prepared, prepare
from cors_probe.policy.url import Url, UrlError, parse_url

PAGE = Origin("https", "app.example.com")


def _parsed(text: str) -> Url:
    url = parse_url(text)
    assert not isinstance(url, UrlError)
    return url


def test_a_policy_files_checks_carry_their_parsed_urls(tmp_path: Path) -> None:
    policy = tmp_path / "cors-probe.toml"
    policy.write_text(
        'base_url = "https://API.example.com:443/v1/"\n'
        "[[check]]\n"
        'paths = ["/a/../b?q=1 2", "c"]\n'
        'origin = "https://app.example.com"\n'
        'expect = "allowed"\n'
    )
    shapes = [spec.shape for spec in load_policy(str(policy)).checks]
    assert [s.url for s in shapes] == [
        "https://api.example.com/v1/b?q=1%202",
        "https://api.example.com/v1/c",
    ]
    for shape in shapes:
        assert shape.parsed_url == parse_url(shape.url)


def test_prepare_does_not_parse_a_url_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    url = _parsed("https://api.example.com/items")
    shape = RequestShape(url=url.serialise(), origin=PAGE, method="PUT", parsed_url=url)

    def refuse(text: str, base: Url | None = None) -> Url | UrlError:
        raise AssertionError(f"parsed again: {text}")

    monkeypatch.setattr(conversation, "parse_url", refuse)
    prepared = prepare(shape)
    assert isinstance(prepared, Prepared)
    assert prepared.url is url


@pytest.mark.parametrize("given", ["https://api.example.com/old", None])
def test_a_stale_or_missing_parsed_url_is_parsed_from_the_text(given: str | None) -> None:
    base = RequestShape(
        url="https://api.example.com/old",
        origin=PAGE,
        parsed_url=None if given is None else _parsed(given),
    )
    shape = replace(base, url="https://other.example.net/new")
    prepared = prepare(shape)
    assert isinstance(prepared, Prepared)
    assert prepared.url.serialise() == "https://other.example.net/new"


def test_parsed_url_is_no_part_of_equality_or_repr() -> None:
    url = _parsed("https://api.example.com/x")
    with_it = RequestShape(url=url.serialise(), origin=PAGE, parsed_url=url)
    without = RequestShape(url=url.serialise(), origin=PAGE)
    assert with_it == without
    assert hash(with_it) == hash(without)
    assert repr(with_it) == repr(without)
