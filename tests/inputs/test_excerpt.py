"""inputs/excerpt.py: the short, masked quote of a capture an error message shows."""

from __future__ import annotations

import pytest

from cors_probe.inputs.excerpt import EXCERPT, excerpt, mask_secrets

MASKED = [
    ('{"authorization": "Bearer sk_live_abc"}', '{"authorization": "****"}'),
    ("-H 'cookie: sid=abc; theme=dark'", "-H 'cookie: ****'"),
    ("Cookie: a=b; c=d", "Cookie: ****"),
    ("`Bearer ${tok}abc`", "`Bearer ****`"),
    ("Authorization: Basic dXNlcjpw", "Authorization: **** ****"),
    ("http://a.test/?api_key=abc&page=2", "http://a.test/?api_key=****&page=2"),
    ("-H 'X-Api-Key: abcd' -H 'Accept: x'", "-H 'X-Api-Key: ****' -H 'Accept: x'"),
    ("curl http://a.test/ -b sid=abc -H 'a: b'", "curl http://a.test/ -b **** -H 'a: b'"),
    ("sessionid=abc; other=1", "sessionid=****; other=1"),
    ("-H 'Accept: text/html' page=2", "-H 'Accept: text/html' page=2"),
]


@pytest.mark.parametrize(("text", "masked"), MASKED)
def test_secret_looking_values_are_masked(text: str, masked: str) -> None:
    assert mask_secrets(text) == masked


def test_an_excerpt_is_short_and_masked_before_it_is_cut() -> None:
    text = "x" * 30 + " Authorization: Bearer " + "s" * 40
    shown = excerpt(text)
    assert shown == repr(("x" * 30 + " Authorization: ****")[:EXCERPT] + "…")
    assert "s" * 4 not in shown
    assert excerpt("short") == "'short'"
