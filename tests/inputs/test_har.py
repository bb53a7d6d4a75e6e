"""Reading a HAR: its mistakes as one UsageError, its engine, its conversations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cors_probe.errors import UsageError
from cors_probe.inputs import har
from cors_probe.model import ExchangeKind, Headers

CAPTURES = Path(__file__).resolve().parent.parent / "data" / "captures" / "har"


def _entry(
    method: str,
    url: str,
    headers: list[tuple[str, str]] = (),  # type: ignore[assignment]
    status: int = 200,
    redirect: str = "",
    response_headers: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    return {
        "request": {
            "method": method,
            "url": url,
            "headers": [{"name": n, "value": v} for n, v in headers],
        },
        "response": {
            "status": status,
            "headers": [{"name": n, "value": v} for n, v in response_headers],
            "redirectURL": redirect,
        },
    }


def _write(tmp_path: Path, entries: list[dict[str, Any]], creator: str = "WebInspector") -> str:
    path = tmp_path / "c.har"
    document = {"log": {"version": "1.2", "creator": {"name": creator}, "entries": entries}}
    path.write_text(json.dumps(document))
    return str(path)


PAGE = "http://127.0.0.1:8080"
API = "http://localhost:9000"


@pytest.mark.parametrize(
    ("creator", "agent", "engine"),
    [
        ("WebInspector", None, "chrome"),
        ("Firefox", None, "firefox"),
        ("WebKit Web Inspector", None, "safari"),
        (
            "HAR Export Trigger",
            "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko Firefox/140.0",
            "firefox",
        ),
        ("mitmproxy", "Mozilla/5.0 AppleWebKit/537.36 Chrome/156.0.0.0 Safari/537.36", "chrome"),
        ("mitmproxy", "Mozilla/5.0 AppleWebKit/605.1.15 Version/18.0 Safari/605.1.15", "safari"),
        ("mitmproxy", "curl/8.5.0", None),
        ("mitmproxy", None, None),
    ],
)
def test_the_capturing_engine_comes_from_the_creator_then_the_user_agent(
    creator: str, agent: str | None, engine: str | None, tmp_path: Path
) -> None:
    headers = [("User-Agent", agent)] if agent else []
    loaded = har.load(_write(tmp_path, [_entry("GET", f"{API}/a", headers)], creator))
    assert loaded.engine == engine


def test_a_preflight_is_paired_with_its_request_and_a_redirect_chain_is_one_conversation(
    tmp_path: Path,
) -> None:
    origin = [("Origin", PAGE)]
    entries = [
        _entry("GET", f"{PAGE}/", status=200),  # the page itself: same-origin
        _entry("PUT", f"{API}/a", origin, status=307, redirect="/b"),
        _entry("OPTIONS", f"{API}/a", [*origin, ("Access-Control-Request-Method", "PUT")], 204),
        _entry("OPTIONS", f"{API}/b", [*origin, ("Access-Control-Request-Method", "PUT")], 204),
        _entry("PUT", f"{API}/b", origin, status=0),
        _entry("GET", f"{PAGE}/same", [("Referer", f"{PAGE}/")]),
        _entry("GET", f"{API}/c", origin),
    ]
    loaded = har.load(_write(tmp_path, entries))
    found = har.conversations(loaded)
    assert [[h.entry.number for h in c.hops] for c in found] == [[2, 5], [7]]
    first = found[0]
    assert [h.preflight.number if h.preflight else None for h in first.hops] == [3, 4]
    assert first.page == PAGE
    recorded = har.recorded(first)
    assert [(r.kind, r.hop, r.method, r.entry) for r in recorded] == [
        (ExchangeKind.PREFLIGHT, 0, "PUT", 3),
        (ExchangeKind.ACTUAL, 0, "PUT", 2),
        (ExchangeKind.PREFLIGHT, 1, "PUT", 4),
        (ExchangeKind.ACTUAL, 1, "PUT", 5),
    ]
    assert recorded[-1].response is None  # status 0: the capture holds no response


def test_a_capture_that_starts_same_origin_and_is_redirected_across_is_cross_origin(
    tmp_path: Path,
) -> None:
    entries = [
        _entry("GET", f"{PAGE}/go", [("Referer", f"{PAGE}/")], 302, f"{API}/x"),
        _entry("GET", f"{API}/x", [("Origin", "null")]),
    ]
    found = har.conversations(har.load(_write(tmp_path, entries)))
    assert [[h.entry.number for h in c.hops] for c in found] == [[1, 2]]
    assert found[0].page == PAGE


def test_header_values_are_read_back_as_the_bytes_that_were_sent(tmp_path: Path) -> None:
    """DevTools writes header bytes decoded as UTF-8; the model holds bytes as Latin-1."""
    entries = [
        _entry(
            "GET",
            f"{API}/a",
            [("Origin", PAGE), (":authority", "localhost:9000")],
            302,
            response_headers=[("Location", f"{API}/café")],
        )
    ]
    entry = har.load(_write(tmp_path, entries)).entries[0]
    assert entry.response_headers == Headers.of(("Location", f"{API}/caf\u00c3\u00a9"))
    assert entry.request_headers.names() == ["Origin"]  # no HTTP/2 pseudo-header


def test_the_captured_request_carries_its_mode_from_sec_fetch_mode(tmp_path: Path) -> None:
    entries = [_entry("POST", f"{API}/a", [("Origin", PAGE), ("Sec-Fetch-Mode", "no-cors")])]
    entries[0]["request"]["postData"] = {"mimeType": "text/plain", "text": "hi"}
    loaded = har.load(_write(tmp_path, entries))
    captured = har.captured(har.conversations(loaded)[0], loaded.engine)
    assert (captured.mode, captured.body, captured.source, captured.engine) == (
        "no-cors",
        b"hi",
        "har",
        "chrome",
    )


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "the file is empty"),
        (b"{", "truncated"),
        (b"{]", "not JSON"),
        (b"\xff", "not UTF-8"),
        (b'{"log": {"creator": {"name": "x"}, "entries": []}}', "'version' is a required"),
        (
            b'{"log": {"version": "1.2", "creator": {"name": "x"}, "entries": [{}]}}',
            "log.entries[0]",
        ),
        (b'{"log": {"version": "0.9", "creator": {"name": "x"}, "entries": []}}', "log.version"),
    ],
)
def test_every_mistake_is_one_usage_error_naming_file_and_place(
    content: bytes, said: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad.har"
    path.write_bytes(content)
    with pytest.raises(UsageError) as raised:
        har.load(str(path))
    message = str(raised.value)
    assert message.startswith(f"HAR file '{path}': ")
    assert said in message
    assert "\n" not in message


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="No such file"):
        har.load(str(tmp_path / "absent.har"))


@pytest.mark.parametrize(("folder", "engine"), [(".", "chrome"), ("firefox", "firefox")])
def test_every_stored_capture_reads_and_names_its_engine(folder: str, engine: str) -> None:
    paths = sorted((CAPTURES / folder).glob("*.har"))
    assert paths
    for path in paths:
        loaded = har.load(str(path))
        assert loaded.engine == engine
        assert har.conversations(loaded), path.name
