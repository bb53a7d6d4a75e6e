"""Output a server controls, and secrets that leak: every format, cleaned in one place
(`render.scrub.clean`, called by `render.writer`).

- control bytes a server sends (ESC, C1, NUL, DEL) in header values, reason phrases, a Location
  never reach the output raw: text, JUnit and GitHub show them as `\\x1b`; JSON and SARIF escape
  them as JSON does; JUnit stays valid XML 1.0;
- the request's secrets (`secrets_of`) are masked by value wherever they show up, in every format;
- masking by value works on string values, never on a document's syntax (a secret `true`).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace

import pytest

from cors_probe.inputs.request import RequestOptions, build
from cors_probe.model import Headers, Report, RequestShape, WireRequest, WireResponse
from cors_probe.render import Format, RenderOptions, writer
from cors_probe.render.json import entry
from cors_probe.render.scrub import (
    argv_secrets,
    clean,
    scrub_argv_line,
    secrets_of,
    visible,
)
from cors_probe.secrets import MASK
from cors_probe.usecases import check
from cors_probe.usecases.baseline import RUN_SCHEMA
from cors_probe.usecases.results import Run
from tests.documents import check_document
from tests.subjects import API, PAGE, a_run, a_tour

MARK = "SeCrEt-4711"
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""What must never be in an output: every control character but TAB and LF."""
HOSTILE = "\x1b[2J\x1b[1;1H\x1b[32m✔ ALLOWED\x1b[0m\x9b31m\x00\x7f\x07"


def _write(subject: object, output_format: Format, options: RenderOptions) -> str:
    out = io.StringIO()
    writer(output_format)(subject, out, options)  # type: ignore[arg-type]
    return out.getvalue()


def _hostile_send(request: WireRequest) -> WireResponse:
    """A server that answers every request with control bytes and echoes what it was sent."""
    echoed = tuple((f"X-Echo-{n}", v) for n, v in request.headers)
    headers = Headers.of(
        ("Access-Control-Allow-Origin", PAGE),
        ("X-Evil", HOSTILE),
        ("X-Echo-Url", request.url),
        *echoed,
    )
    if request.url.startswith(API + "/start"):
        location = API + f"/next?seen={MARK}&x=\x1b[31m"
        moved = Headers.of(*headers.pairs, ("Location", location))
        return WireResponse(307, moved, reason=f"Moved {HOSTILE}")
    return WireResponse(500, headers, reason=f"Oops {HOSTILE} {MARK}")


def _hostile_report() -> Report:
    shape = build(
        RequestOptions(
            f"{API}/start?api_key={MARK}&page=1",
            PAGE,
            "GET",
            (f"Authorization: Bearer {MARK}", f"X-Api-Key: {MARK}", "X-Trace: plain"),
            credentials=True,
            cookie=f"sid={MARK}; theme=dark",
        )
    )
    return check.run(shape, _hostile_send)


def _clean_shape() -> RequestShape:
    return build(
        RequestOptions(
            f"{API}/start?api_key={MARK}",
            PAGE,
            "GET",
            (f"Authorization: Bearer {MARK}", f"X-Api-Key: {MARK}"),
            credentials=True,
            cookie=f"sid={MARK}",
        )
    )


@pytest.fixture(scope="module")
def hostile() -> Report:
    report = _hostile_report()
    assert len(report.outcome.exchanges) >= 1
    return report


@pytest.mark.parametrize("verbose", [False, True], ids=["plain", "verbose"])
@pytest.mark.parametrize("output_format", list(Format))
def test_no_control_byte_and_no_secret_reaches_any_format(
    hostile: Report, output_format: Format, verbose: bool
) -> None:
    options = RenderOptions(to_file=True, verbose=verbose, secrets=secrets_of(hostile.shape))
    text = _write(hostile, output_format, options)
    assert not RAW_CONTROL.search(text), repr(RAW_CONTROL.search(text))
    assert MARK not in text
    check_document(output_format, text)
    if output_format in (Format.TEXT, Format.JUNIT, Format.GITHUB):
        assert "\\x1b" in text or output_format is not Format.TEXT
    if output_format is Format.JSON:
        document = json.loads(text)
        evil = dict(document["exchanges"][0]["response"]["headers"])["X-Evil"]
        assert evil == HOSTILE, "JSON keeps the server's bytes, escaped by JSON itself"


def test_the_text_report_shows_control_bytes_as_escapes(hostile: Report) -> None:
    text = _write(hostile, Format.TEXT, RenderOptions(to_file=True))
    assert "X-Evil: \\x1b[2J\\x1b[1;1H\\x1b[32m✔ ALLOWED\\x1b[0m\\x9b31m\\x00\\x7f\\x07" in text
    assert "Moved \\x1b[2J" in text


def test_show_secrets_shows_them_but_never_the_control_bytes(hostile: Report) -> None:
    options = RenderOptions(to_file=True, show_secrets=True, secrets=secrets_of(hostile.shape))
    text = _write(hostile, Format.TEXT, options)
    assert MARK in text
    assert not RAW_CONTROL.search(text)


def test_user_info_in_the_url_is_masked_in_every_format() -> None:
    """fetch() refuses a URL with credentials: the report says so, without them."""
    url = f"https://{MARK}:{MARK}@api.example/x"
    shape = build(RequestOptions(url, PAGE, "GET"))
    for output_format in Format:
        report = check.run(shape, _hostile_send)
        text = _write(report, output_format, RenderOptions(secrets=secrets_of(shape)))
        assert MARK not in text, output_format


def test_the_dry_run_is_scrubbed_too() -> None:
    shape = _clean_shape()
    for output_format in Format:
        text = _write(check.dry_run(shape), output_format, RenderOptions(secrets=secrets_of(shape)))
        assert MARK not in text, output_format


@pytest.mark.parametrize("output_format", list(Format))
def test_a_secret_that_is_a_keyword_never_breaks_a_document(output_format: Format) -> None:
    """A policy file's secret `true`, `null`, `cors-probe` or `testcase`: only string values are
    scrubbed, so the document still parses, its schema and vocabulary intact."""
    run = a_run()
    vocabulary = frozenset({"true", "null", "false", "cors-probe", "testcase", "error", "version"})
    run = replace(run, policy=replace(run.policy, secrets=run.policy.secrets | vocabulary))
    text = _write(run, output_format, RenderOptions(to_file=True))
    check_document(output_format, text)
    if output_format is Format.JSON:
        document = json.loads(text)
        assert document["schema"] == RUN_SCHEMA
        assert document["tool"]["name"] == "cors-probe"
        assert document["baseline"] is None


def test_a_run_keeps_masking_a_server_echoing_its_secret() -> None:
    run = a_run()
    (secret,) = run.policy.secrets
    first, failed, last = run.results
    echoed = replace(failed, problems=(f"the server said {secret}",))
    run = Run(run.policy, [first, echoed, last], run.started, run.seconds)
    for output_format in set(Format) - {Format.JSON}:  # JSON: its entries, below
        text = _write(run, output_format, RenderOptions(to_file=True))
        assert secret not in text, output_format
        shown = _write(run, output_format, RenderOptions(to_file=True, show_secrets=True))
        assert secret in shown, output_format


@pytest.mark.parametrize("show_secrets", [False, True], ids=["masked", "shown"])
def test_a_run_entry_is_scrubbed_by_value_and_stays_json(show_secrets: bool) -> None:
    """A server echoing a policy secret is masked; a secret `true` or `null` breaks nothing."""
    report = check.run(_clean_shape(), _hostile_send)
    run = a_run()
    result = run.results[0]
    secrets = frozenset({MARK, "true", "null", "items"})
    text = entry("cors-probe.toml", result, report, secrets=secrets, show_secrets=show_secrets)
    document = json.loads(text)
    assert (MARK in text) is show_secrets
    assert document["report"]["schema"] == "cors-probe/check/1"
    assert document["report"]["simulated"] is False
    assert (document["name"] == MASK) is not show_secrets


def test_the_tour_is_cleaned_too() -> None:
    tour = a_tour()
    for output_format in Format:
        check_document(output_format, _write(tour, output_format, RenderOptions(to_file=True)))


@pytest.mark.parametrize(
    ("url", "headers", "cookie", "expected"),
    [
        (f"{API}/x", (f"Authorization: Bearer {MARK}",), None, {MARK}),
        (f"{API}/x", (f"X-Api-Key: {MARK}",), None, {MARK}),
        (f"{API}/x", (f"Ocp-Apim-Subscription-Key: {MARK}",), None, {MARK}),
        (f"{API}/x", ("X-Trace: not-a-secret",), None, set()),
        (f"{API}/x", (), f"sid={MARK}; a=b", {f"sid={MARK}", MARK}),
        (f"{API}/x?api_key={MARK}&page=1", (), None, {MARK}),
        (f"{API}/x?token={MARK}&sig=abcdef", (), None, {MARK, "abcdef"}),
        (f"{API}/x?q=search-term", (), None, set()),
        (f"https://user:{MARK}@api.example/x", (), None, {f"user:{MARK}", "user", MARK}),
        (f"https://{MARK}@api.example/x", (), None, {MARK}),
        (f"{API}/x?api_key=a%20b%2Fc", (), None, {"a%20b%2Fc", "a b/c"}),
        (f"{API}/x", ("Authorization: abc",), None, set()),  # shorter than MIN_SECRET
    ],
    ids=[
        "bearer", "api-key", "azure-apim", "plain-header", "cookie", "query-api-key",
        "query-token-sig", "plain-query", "userinfo", "token-as-user", "encoded", "short",
    ],
)  # fmt: skip
def test_secrets_of_a_request(
    url: str, headers: tuple[str, ...], cookie: str | None, expected: set[str]
) -> None:
    shape = build(RequestOptions(url, PAGE, "GET", headers, credentials=True, cookie=cookie))
    assert secrets_of(shape) == expected


@pytest.mark.parametrize(
    ("line", "argv", "expected"),
    [
        (
            "header 'Authorization Bearer abc' has no colon: write it as 'Name: value'",
            ["check", "https://a.example", "-H", "Authorization Bearer abc"],
            "header 'Authorization Bearer ****' has no colon: write it as 'Name: value'",
        ),
        (
            "header 'X-Api-Key=SeCrEt-4711' has no colon",
            ["check", "https://a.example", "--header=X-Api-Key=SeCrEt-4711"],
            "header 'X-Api-Key=****' has no colon",
        ),
        (
            "header 'Authorization' SeCrEt-4711",
            ["check", "-HAuthorization: Basic SeCrEt-4711"],
            "header 'Authorization' ****",
        ),
        (
            "bad cookie sid=SeCrEt-4711",
            ["check", "https://a.example", "--cookie", "sid=SeCrEt-4711"],
            "bad cookie ****",
        ),
        (
            "bad URL 'https://u:SeCrEt-4711@a.example/?token=SeCrEt-4711': nope",
            ["check", "https://u:SeCrEt-4711@a.example/?token=SeCrEt-4711"],
            "bad URL 'https://****@a.example/?token=****': nope",
        ),
        (
            "header 'X-Trace plain' has no colon",
            ["check", "-H", "X-Trace plain"],
            "header 'X-Trace plain' has no colon",
        ),
        (
            "weird \x1b[31mred",
            ["check"],
            "weird \\x1b[31mred",
        ),
    ],
    ids=["no-colon", "equals", "glued-H", "cookie", "url", "not-secret", "controls"],
)
def test_an_error_line_is_scrubbed_of_the_command_line_secrets(
    line: str, argv: list[str], expected: str
) -> None:
    assert scrub_argv_line(line, argv) == expected


def test_argv_secrets_reads_every_header_option() -> None:
    argv = ["simulate", "u", "--response-header", f"Set-Cookie: a={MARK}", "--assume-header"]
    assert MARK in argv_secrets(argv)


def test_visible_escapes_c0_del_and_c1_but_not_tab() -> None:
    assert visible("a\tb\nc\x1bd\x7fe\x85f\x9bg\xa0h") == "a\tb\\x0ac\\x1bd\\x7fe\\x85f\\x9bg\xa0h"


def test_clean_never_touches_keys_enums_or_numbers() -> None:
    document = {"true": "true", "n": 1, "list": ["null", True, None], "nested": {"k": "x true y"}}
    assert clean(document, {"true", "null"}, controls=False) == {
        "true": MASK,
        "n": 1,
        "list": [MASK, True, None],
        "nested": {"k": f"x {MASK} y"},
    }
    assert clean(document, set(), controls=False) is document
