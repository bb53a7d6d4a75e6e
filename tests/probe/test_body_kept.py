"""The probe keeps the body's first BODY_KEPT bytes, as received, from a real loopback server."""

from __future__ import annotations

import pytest

from cors_probe.model import BODY_KEPT, Headers, WireRequest
from cors_probe.probe.client import ProbeOptions, Prober
from tests.servers import Reply, ScriptedServer


@pytest.mark.parametrize(
    ("reply", "cap", "kept", "read", "truncated"),
    [
        (Reply(400, body=b"Disallowed CORS origin"), None, b"Disallowed CORS origin", 22, False),
        (Reply(500, body_size=100_000), None, b"x" * BODY_KEPT, 100_000, False),
        (Reply(500, body_size=100_000), 1000, b"x" * 1000, 1000, True),
        (Reply(204), None, b"", 0, False),
    ],
)
def test_the_first_bytes_are_kept(
    reply: Reply, cap: int | None, kept: bytes, read: int, truncated: bool, server: ScriptedServer
) -> None:
    server.route("/r", reply)
    options = ProbeOptions() if cap is None else ProbeOptions(body_cap=cap)
    with Prober(options) as prober:
        response = prober.send(WireRequest("GET", server.url("/r"), Headers()))
    assert response.body == kept
    assert (response.body_bytes, response.body_truncated) == (read, truncated)
