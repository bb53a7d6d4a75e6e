"""`cors-probe check` with its cache probe, as a subprocess against scripted servers on 127.0.0.1:
the comparison requests it sends (and never sends), and the cache section's findings."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest

from cors_probe.codes import FindingCode as C
from tests.conftest import CliResult
from tests.servers import Received, Reply, ScriptedServer

PAGE = "https://app.example.com"
Handler = Callable[[Received], Reply]


def echo(*extra: tuple[str, str], credentials: bool = False, only: str | None = None) -> Handler:
    """Echo the Origin (when it contains `only`, when given) in ACAO, with `extra` headers."""

    def respond(request: Received) -> Reply:
        pairs = list(extra)
        origin = request.header("Origin")
        if origin is not None and (only is None or only in origin):
            pairs.append(("Access-Control-Allow-Origin", origin))
            if credentials:
                pairs.append(("Access-Control-Allow-Credentials", "true"))
        return Reply(200, pairs, body=b"{}")

    return respond


def fixed(*pairs: tuple[str, str]) -> Handler:
    return lambda _: Reply(200, list(pairs), body=b"{}")


def star_for_cors(request: Received) -> Reply:
    """`*` to CORS requests only: ACAO depends on Origin though it never echoes it."""
    pairs = [("Access-Control-Allow-Origin", "*")] if request.header("Origin") else []
    return Reply(200, pairs, body=b"{}")


@dataclass(frozen=True)
class Case:
    name: str
    get: Handler
    present: Sequence[C]
    absent: Sequence[C] = ()
    args: Sequence[str] = ()


CASES = [
    Case(
        "echo-cached-without-vary",
        echo(("Cache-Control", "max-age=600")),
        [C.CACHED_WITHOUT_CORS],
        [C.VARY_ORIGIN_MISSING],  # told once, by the check itself (ACAO echoes the origin)
    ),
    Case("star-only-for-cors", star_for_cors, [C.VARY_ORIGIN_MISSING], [C.CACHED_WITHOUT_CORS]),
    Case(
        "star-for-cors-with-vary",
        lambda r: Reply(200, [("Vary", "Origin"), *star_for_cors(r).headers]),
        [],
        [C.VARY_ORIGIN_MISSING, C.CACHED_WITHOUT_CORS],
    ),
    Case(
        "suffix-pattern-with-credentials",
        echo(("Vary", "Origin"), credentials=True, only="app.example.com"),
        [C.ORIGIN_REFLECTED_WITH_CREDENTIALS],
        [C.ORIGIN_PATTERN_UNANCHORED],
    ),
    Case(
        "suffix-pattern",
        echo(("Vary", "Origin"), only="app.example.com"),
        [C.ORIGIN_PATTERN_UNANCHORED],
        [C.ORIGIN_REFLECTED_WITH_CREDENTIALS],
    ),
    Case(
        "cdn-hit-for-everybody",
        fixed(("Access-Control-Allow-Origin", PAGE), ("Age", "30"), ("X-Cache", "HIT")),
        [C.SHARED_CACHE_HIT, C.CORS_CACHED_FOR_ANOTHER_ORIGIN],
    ),
    Case(
        "exact-list-with-vary",
        lambda r: Reply(
            200,
            [("Vary", "Origin")]
            + ([("Access-Control-Allow-Origin", PAGE)] if r.header("Origin") == PAGE else []),
        ),
        [],
        [C.VARY_ORIGIN_MISSING, C.ORIGIN_PATTERN_UNANCHORED, C.CACHED_WITHOUT_CORS],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_cache_section(
    case: Case, server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route("/p", get=case.get)
    result = run_cli("check", server.url("/p"), "--origin", PAGE, *case.args, "--format", "json")
    result.assert_no_traceback()
    document = result.json()
    cache = document["cache"]
    codes = [f["code"] for f in cache["findings"]]
    for code in case.present:
        assert code.value in codes, codes
    for code in case.absent:
        assert code.value not in codes, codes
    sent = [(e["label"], e["origin"]) for e in cache["exchanges"]]
    assert sent[:2] == [("no-origin", None), ("other-origin", "https://other-site.example")]
    assert {label for label, _ in sent[2:]} == {"suffix", "prefix", "dot", "scheme"}
    received = [r.header("Origin") for r in server.requests_to("/p")]
    assert received == [PAGE, *(origin for _, origin in sent)]
    assert all(r.method == "GET" for r in server.requests_to("/p"))


def test_fetch_after_an_img_is_predicted_per_engine(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route("/p", get=echo(("Cache-Control", "max-age=600")))
    url = server.url("/p")
    result = run_cli("check", url, "--origin", PAGE, "--browser", "all", "--format", "json")
    after = result.json()["cache"]["after_no_cors"]
    assert set(after) == {"chrome", "firefox"}  # WebKit asks the server again
    assert after["chrome"]["loads"] == ["img", "no-cors", "no-cors-include"]
    assert after["firefox"]["loads"] == ["no-cors"]
    assert after["chrome"]["verdict"] == "blocked"
    assert after["chrome"]["decisive"] == "acao-missing"
    assert after["chrome"]["console"] == [
        f"Access to fetch at '{url}' from origin '{PAGE}' has been blocked by CORS policy: No "
        "'Access-Control-Allow-Origin' header is present on the requested resource.",
        "Failed to load resource: net::ERR_FAILED",
    ]


def test_a_method_with_side_effects_is_never_repeated(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route(
        "/p",
        options=lambda r: Reply(
            204,
            [
                ("Access-Control-Allow-Origin", r.header("Origin") or ""),
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Max-Age", "600"),
            ],
        ),
        put=echo(),
    )
    result = run_cli("check", server.url("/p"), "-o", PAGE, "-X", "PUT", "--yes", "-f", "json")
    cache = result.json()["cache"]
    methods = [r.method for r in server.requests_to("/p")]
    assert methods.count("PUT") == 1
    assert methods[:2] == ["OPTIONS", "PUT"]
    assert set(methods[2:]) == {"OPTIONS"}
    assert {e["request"]["method"] for e in cache["exchanges"]} == {"OPTIONS"}
    assert "no-origin" not in {e["label"] for e in cache["exchanges"]}
    preflight = next(f for f in cache["findings"] if f["code"] == C.PREFLIGHT_CACHED.value)
    assert preflight["detail"] == {
        "chrome": "600",
        "firefox": "600",
        "safari": "600",
        "methods": "PUT",
        "headers": "",
    }
    assert cache["preflight_cache"]["safari"] == {"seconds": 600, "methods": ["PUT"], "headers": []}


def test_a_simple_post_is_not_repeated_and_says_so(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route("/p", post=echo())
    result = run_cli("check", server.url("/p"), "-o", PAGE, "-X", "POST", "--yes", "-f", "json")
    cache = result.json()["cache"]
    assert [r.method for r in server.requests_to("/p")] == ["POST"]
    assert cache["exchanges"] == []
    assert "POST may change data" in cache["skipped"]
    assert (
        "POST may change data"
        in run_cli("check", server.url("/p"), "-o", PAGE, "-X", "POST", "--yes").stdout
    )


@pytest.mark.parametrize("switch", ["--no-cache-probe", "--dry-run"])
def test_switched_off_or_dry_nothing_extra_is_sent(
    switch: str, server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route("/p", get=echo(("Cache-Control", "max-age=600")))
    result = run_cli("check", server.url("/p"), "--origin", PAGE, switch, "--format", "json")
    assert result.json()["cache"] is None
    assert len(server.requests_to("/p")) == (0 if switch == "--dry-run" else 1)


def test_the_text_report_lists_its_own_requests(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route("/p", get=echo(("Cache-Control", "max-age=600")))
    out = run_cli("check", server.url("/p"), "--origin", PAGE).stdout
    assert "Caches (cors-probe's own extra requests)" in out
    assert "no-origin    GET (no Origin) -> 200, ACAO (none)" in out
    assert "Chrome, fetch() after img, no-cors, no-cors-include: BLOCKED" in out
    assert "cached-without-cors" in out


COVERED = frozenset(
    {
        C.CACHED_WITHOUT_CORS,
        C.SHARED_CACHE_HIT,
        C.CORS_CACHED_FOR_ANOTHER_ORIGIN,
        C.ORIGIN_PATTERN_UNANCHORED,
        C.PREFLIGHT_CACHED,
    }
)
"""The codes this file covers end to end (test_check_command's coverage test reads it)."""


def test_the_probes_own_requests_mask_secrets(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    server.route(
        "/p",
        options=lambda r: Reply(
            204,
            [
                ("Access-Control-Allow-Origin", r.header("Origin") or ""),
                ("Access-Control-Allow-Headers", "Authorization"),
            ],
        ),
        get=echo(("Cache-Control", "max-age=60")),
    )
    secret = "Bearer s3cr3t-t0ken-value"
    result = run_cli(
        "check", server.url("/p"), "-o", PAGE, "-H", f"Authorization: {secret}", "-f", "json"
    )
    assert "s3cr3t" not in result.stdout
    assert len(result.json()["cache"]["exchanges"]) == 6
    assert all(r.header("Authorization") == secret for r in server.requests_to("/p")[1:])


@pytest.mark.parametrize("mode", ["no-cors", "same-origin"])
def test_a_request_without_cors_is_not_compared(
    mode: str, server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    """no-cors requests carry no Origin (and same-origin ones go nowhere else): repeating them
    with other Origins would compare nothing, so nothing extra is sent, and the report says so."""
    server.route("/p", get=echo(("Cache-Control", "max-age=600")))
    page = server.base_url if mode == "same-origin" else PAGE
    result = run_cli("check", server.url("/p"), "-o", page, "--mode", mode, "-f", "json")
    result.assert_no_traceback()
    cache = result.json()["cache"]
    assert cache["exchanges"] == []
    assert mode in cache["skipped"]
    assert [r.method for r in server.requests_to("/p")] == ["GET"]


def test_unanswered_comparisons_are_not_called_a_clean_bill(
    server: ScriptedServer, run_cli: Callable[..., CliResult]
) -> None:
    """The page's own request answered at once, the comparisons too slowly for the deadline:
    the text must not say that no problem was found."""

    def slow_without_the_page(request: Received) -> Reply:
        if request.header("Origin") != PAGE:
            time.sleep(1.5)
        return Reply(200, [("Access-Control-Allow-Origin", PAGE), ("Vary", "Origin")])

    server.route("/p", get=slow_without_the_page)
    out = run_cli("check", server.url("/p"), "-o", PAGE, "--timeout", "1").stdout
    assert "No cache or origin-pattern problem found." not in out
    assert "not every request was answered" in out
