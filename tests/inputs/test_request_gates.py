"""The page's address space and the user's Local Network Access answer, as `build` reads them:
`--page-address-space` wins, an IP literal or localhost name classifies itself, a host name is
resolved (a stand-in resolver here), and public is assumed, and said, when it does not resolve."""

from __future__ import annotations

import pytest

from cors_probe.inputs.request import RequestOptions, build
from cors_probe.model import AddressSpace, LocalNetworkPermission

PUBLIC, LOCAL, LOOPBACK = AddressSpace.PUBLIC, AddressSpace.LOCAL, AddressSpace.LOOPBACK
KNOWN = {"intranet.corp": "10.1.2.3", "www.example": "93.184.216.34", "dev.box": "127.0.1.1"}

CASES = [
    ("explicit-wins", "http://127.0.0.1:8000", PUBLIC, PUBLIC, False, False),
    ("explicit-for-a-name", "https://intranet.corp", LOOPBACK, LOOPBACK, False, False),
    ("ipv4-loopback", "http://127.0.0.1:8000", None, LOOPBACK, False, False),
    ("ipv6-loopback", "http://[::1]:8000", None, LOOPBACK, False, False),
    ("private-ip", "http://192.168.1.20", None, LOCAL, False, False),
    ("public-ip", "http://93.184.216.34", None, PUBLIC, False, False),
    ("localhost", "http://localhost:3000", None, LOOPBACK, False, False),
    ("dot-localhost", "http://app.localhost", None, LOOPBACK, False, False),
    ("name-resolved-local", "https://intranet.corp", None, LOCAL, False, True),
    ("name-resolved-public", "https://www.example", None, PUBLIC, False, True),
    ("name-resolved-loopback", "http://dev.box:8080", None, LOOPBACK, False, True),
    ("name-unresolved", "https://nowhere.invalid", None, PUBLIC, True, True),
    ("null-origin", "null", None, None, False, False),
    ("no-origin-third-party", None, None, PUBLIC, False, False),
]


@pytest.mark.parametrize(
    ("origin", "explicit", "space", "assumed", "asked"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_the_page_address_space(
    origin: str | None,
    explicit: AddressSpace | None,
    space: AddressSpace | None,
    assumed: bool,
    asked: bool,
) -> None:
    looked_up: list[str] = []

    def resolve(host: str) -> str | None:
        looked_up.append(host)
        return KNOWN.get(host)

    shape = build(
        RequestOptions("http://api.example/x", origin, page_address_space=explicit, resolve=resolve)
    )
    assert (shape.page_address_space, shape.page_address_space_assumed) == (space, assumed)
    assert bool(looked_up) is asked


def test_without_a_resolver_a_name_is_assumed_public() -> None:
    shape = build(RequestOptions("http://api.example/x", "https://intranet.corp"))
    assert (shape.page_address_space, shape.page_address_space_assumed) == (PUBLIC, True)


@pytest.mark.parametrize("answer", [*LocalNetworkPermission, None])
def test_the_local_network_answer_is_kept(answer: LocalNetworkPermission | None) -> None:
    shape = build(RequestOptions("http://api.example/x", local_network=answer))
    assert shape.local_network is answer
