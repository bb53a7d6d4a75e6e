"""Issue #12's inputs as a user runs them: a Location holding raw UTF-8 bytes, and a same-origin
request that a redirect makes cross-origin (and preflighted). The CLI against real servers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import CliResult
from tests.servers import Reply, ScriptedServer

PAGE = "http://localhost:3000"
"""An http page on loopback: no mixed content (Safari blocks an https page's http loopback URL)
and no Local Network Access gate."""
ACAO = ("Access-Control-Allow-Origin", PAGE)
OPTION = {"chrome": "chromium", "firefox": "firefox", "safari": "safari"}

# (Location bytes after /files/, as Latin-1 text; the path each engine requests: Chromium and
# Firefox, WebKitGTK), as measured (tests/browser/scenarios.py, family location-bytes)
LOCATIONS = [
    ("caf\xc3\xa9.pdf", "caf%C3%A9.pdf", "caf%C3%83%C2%A9.pdf"),
    ("caf\xe9.pdf", "caf%E9.pdf", "caf%C3%AF%C2%BF%C2%BD.pdf"),
    (
        "\xe4\xb8\xad.txt?v=\xc3\xa9",
        "%E4%B8%AD.txt?v=%C3%A9",
        "%C3%A4%C2%B8%C2%AD.txt?v=%C3%83%C2%A9",
    ),
    ("caf%C3%A9.pdf", "caf%C3%A9.pdf", "caf%C3%A9.pdf"),
]


@pytest.mark.parametrize("browser", ["chrome", "firefox", "safari"])
@pytest.mark.parametrize(("location", "kept", "webkit"), LOCATIONS)
def test_a_location_s_raw_bytes_are_requested_as_the_engine_does(
    server: ScriptedServer,
    run_cli: Callable[..., CliResult],
    browser: str,
    location: str,
    kept: str,
    webkit: str,
) -> None:
    """Only the path the engine requests exists (else 404 without CORS headers): cors-probe
    requests that path, and so reaches the file the engine reaches."""
    expected = webkit if browser == "safari" else kept
    server.route("/files/r", Reply(302, [ACAO, ("Location", f"/files/{location}")]))
    server.route(f"/files/{expected.split('?')[0]}", Reply(200, [ACAO, ("Vary", "Origin")]))
    result = run_cli(
        "check", "--no-cache-probe", server.url("/files/r"), "--origin", PAGE,
        "--browser", OPTION[browser], "--format", "json",
    )  # fmt: skip
    document = result.json()
    assert document["verdict"] == "allowed", document["findings"]
    urls = [e["request"]["url"] for e in document["exchanges"]]
    assert urls == [server.url("/files/r"), server.url(f"/files/{expected}")]
    assert [r.path for r in server.received] == ["/files/r", f"/files/{expected}"]


def test_a_blocked_redirect_target_is_named_as_requested_in_the_console_line(
    server_factory: Callable[[], ScriptedServer], run_cli: Callable[..., CliResult]
) -> None:
    api, other = server_factory(), server_factory()
    api.route("/r", Reply(302, [ACAO, ("Location", other.url("/caf\xc3\xa9.pdf"))]))
    other.route("/caf%C3%A9.pdf", Reply(200, []))
    document = run_cli(
        "check", "--no-cache-probe", api.url("/r"), "--origin", PAGE, "--format", "json"
    ).json()
    assert document["verdict"] == "blocked"
    decisive = next(f for f in document["findings"] if f["code"] == document["decisive"])
    line = decisive["console"]["chrome"][0]
    assert line.startswith(f"Access to fetch at '{other.url('/caf%C3%A9.pdf')}' (redirected from")


@pytest.mark.parametrize(
    ("preflight", "verdict"),
    [
        (Reply(204, []), "blocked"),  # the other origin does not answer CORS
        (
            Reply(
                204,
                [
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Methods", "PUT"),
                    ("Access-Control-Allow-Headers", "content-type"),
                ],
            ),
            "allowed",
        ),
    ],
)
def test_a_same_origin_request_redirected_cross_origin_is_described_per_hop(
    server_factory: Callable[[], ScriptedServer],
    run_cli: Callable[..., CliResult],
    preflight: Reply,
    verdict: str,
) -> None:
    """A same-origin PUT (Content-Type: application/octet-stream) redirected to another origin:
    no preflight for the first URL, one for the second; never "same-origin, nothing to fix" or
    "Preflight: not needed" beside it, in any engine."""
    page, api = server_factory(), server_factory()
    page.route("/up", Reply(307, [("Location", api.url("/up"))]))
    api.route("/up", Reply(200, [("Access-Control-Allow-Origin", "*")]), options=preflight)
    args = [
        "check", "--no-cache-probe", page.url("/up"), "--origin", page.base_url, "-X", "PUT",
        "-H", "Content-Type: application/octet-stream", "-d", "x", "--yes", "--browser", "all",
    ]  # fmt: skip
    document = run_cli(*args, "--format", "json").json()
    engines = {document["browser"]: document, **document["browsers"]}
    for name, engine in engines.items():
        assert engine["verdict"] == verdict, name
        assert engine["preflight"]["required"] is True
        assert engine["preflight"]["sent"] is True
        assert engine["preflight"]["hop"] == 1
        reasons = {t["reason"] for t in engine["preflight"]["triggers"]}
        assert reasons == {"method", "content-type"}
        hops = [(h["hop"], h["cors"], h["required"], h["sent"]) for h in engine["preflights"]]
        assert hops == [(0, False, False, False), (1, True, True, True)]
        assert "same-origin" not in {f["code"] for f in engine["findings"]}
    text = run_cli(*args).stdout
    assert "Nothing to fix" not in text
    assert "Same-origin request" not in text
    assert "Preflight: not needed" not in text
    assert text.count("after redirect 1, at " + api.url("/up") + ": required;") == 3
    assert text.count("at " + page.url("/up") + ": not needed (same-origin") == 3
