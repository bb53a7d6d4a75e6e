"""`masked_pairs` copies a header list with no secret in it as it is, and masks the others as the
rule says: a secret's name (`is_secret`) but no Access-Control-* header."""

from __future__ import annotations

import pytest

from cors_probe.model import Headers
from cors_probe.render.mask import mask_value, masked_pairs, masks
from cors_probe.secrets import MASK, is_secret


def by_the_rule(headers: Headers, show_secrets: bool) -> list[tuple[str, str]]:
    """The rule, pair by pair, without the shortcut for lists without a secret."""
    if show_secrets:
        return list(headers.pairs)
    return [
        (n, mask_value(n, v) if is_secret(n) and not n.lower().startswith("access-control-") else v)
        for n, v in headers.pairs
    ]


LISTS = [
    (),
    (("Accept", "*/*"),),
    (("Content-Type", "application/json"), ("Origin", "https://app.example")),
    (("Authorization", "Bearer abc.def"),),
    (("authorization", "Basic dXNlcjpwYXNz"), ("Accept", "*/*")),
    (("Accept", "*/*"), ("Cookie", "session=s3cr3t-value")),
    (("X-Api-Key", "k3y-f0r-the-items-api"), ("X-Trace-Id", "1")),
    (("Proxy-Authorization", "token"),),
    (("Access-Control-Allow-Credentials", "true"), ("Access-Control-Request-Headers", "x-token")),
    (("Set-Cookie", "id=1; Secure"), ("Access-Control-Allow-Origin", "*"), ("Vary", "Origin")),
    (("ACCESS-CONTROL-ALLOW-HEADERS", "authorization"), ("X-Auth-Token", "t0k3n-value")),
]


@pytest.mark.parametrize("pairs", LISTS)
@pytest.mark.parametrize("show_secrets", [False, True])
def test_masked_pairs_follows_the_rule(
    pairs: tuple[tuple[str, str], ...], show_secrets: bool
) -> None:
    headers = Headers(pairs)
    shown = masked_pairs(headers, show_secrets)
    assert shown == by_the_rule(headers, show_secrets)
    assert shown is not masked_pairs(headers, show_secrets)  # a new list each time


def test_a_list_with_a_secret_is_masked_and_one_without_is_not() -> None:
    assert masked_pairs(Headers(LISTS[3]), False) == [("Authorization", f"Bearer {MASK}")]
    assert masked_pairs(Headers(LISTS[2]), False) == list(LISTS[2])
    assert not masks("Access-Control-Allow-Credentials")
    assert masks("X-Api-Key")
    assert masks("cookie")
