"""The two requests of the benchmark's check, header for header as `cors-probe run` puts them on
the wire with its default (Chromium) profile, for the raw loops that send the same requests.

Measured once against tests/servers.py's ScriptedServer; the client adds Host (and Content-Length
for the PUT's body). Standard library only: the loops must import nothing they do not measure.
"""

from __future__ import annotations

ORIGIN = "http://localhost:3000"
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)
FETCH = (
    ("Sec-Fetch-Site", "cross-site"),
    ("Sec-Fetch-Mode", "cors"),
    ("Sec-Fetch-Dest", "empty"),
    ("Referer", f"{ORIGIN}/"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
    ("Accept-Language", "en-US,en;q=0.9"),
)
PREFLIGHT = (
    ("Connection", "keep-alive"),
    ("Accept", "*/*"),
    ("Access-Control-Request-Method", "PUT"),
    ("Access-Control-Request-Headers", "content-type"),
    ("Origin", ORIGIN),
    ("User-Agent", USER_AGENT),
    *FETCH,
)
ACTUAL = (
    ("Connection", "keep-alive"),
    ("sec-ch-ua-platform", '"Windows"'),
    ("User-Agent", USER_AGENT),
    ("sec-ch-ua", '"Chromium";v="156", "Google Chrome";v="156", "Not:A-Brand";v="99"'),
    ("sec-ch-ua-mobile", "?0"),
    ("Content-Type", "application/json"),
    ("Accept", "*/*"),
    ("Origin", ORIGIN),
    *FETCH,
)
