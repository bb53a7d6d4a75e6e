"""`cors-probe har`: explain every cross-origin request of a HAR capture, offline."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from cors_probe.cli.debug import Debug
from cors_probe.cli.options import (
    Credentials,
    Engine,
    ShowSecrets,
    Timeout,
    Verbose,
    Yes,
    ask,
    on_terminal,
    one_origin,
)
from cors_probe.errors import UsageError
from cors_probe.render import Format

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cors_probe.inputs.har import Har, HarConversation
    from cors_probe.model import Report, RequestShape, WireRequest
    from cors_probe.policy.browsers import Browser
    from cors_probe.usecases.har import Row, Skipped

HarFile = Annotated[
    str,
    typer.Argument(
        metavar="FILE", help="The HAR file (DevTools' or Firefox's Save All As HAR); - for stdin."
    ),
]
EntryNumber = Annotated[
    int | None,
    typer.Option("--entry", "-e", min=1, help="Explain only this entry (numbered from 1)."),
]
UrlPattern = Annotated[
    str | None,
    typer.Option(
        "--url", metavar="PATTERN", help="Explain only the request whose URL matches (a regex)."
    ),
]
Replay = Annotated[
    bool,
    typer.Option(
        "--replay",
        help="Ask the live server again for the chosen requests, as `check` does (nothing is "
        "sent without it).",
    ),
]


class HarFormat(StrEnum):
    """The formats `har` writes (a table and reports, or one JSON document)."""

    TEXT = "text"
    JSON = "json"


HarOutput = Annotated[HarFormat, typer.Option("--format", "-f", help="Output format.")]
HarOrigin = Annotated[
    list[str] | None,
    typer.Option(
        "--origin",
        "-o",
        metavar="ORIGIN",
        help="The page's origin, e.g. https://app.example.com, or null. Default: the one the "
        "capture shows (each request's Origin, else its Referer, else the capture's page).",
    ),
]
HarBrowser = Annotated[
    Engine | None,
    typer.Option(
        "--browser",
        "-b",
        help="The engine to judge with (default: the one that made the capture).",
        case_sensitive=False,
    ),
]


def har(
    file: HarFile,
    entry: EntryNumber = None,
    url: UrlPattern = None,
    replay: Replay = False,
    yes: Yes = False,
    browser: HarBrowser = None,
    origin: HarOrigin = None,
    credentials: Credentials = False,
    output_format: HarOutput = HarFormat.TEXT,
    timeout: Timeout = 10.0,
    show_secrets: ShowSecrets = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Explain every cross-origin request of a HAR capture, offline, as check would."""
    del debug  # read in main() before parsing; declared here so it shows in --help
    from cors_probe.inputs import har as inputs
    from cors_probe.render import RenderOptions
    from cors_probe.render.har import write
    from cors_probe.usecases.har import Capture, Row, exit_code

    if entry is not None and url is not None:
        raise UsageError("--entry and --url both pick a request: give one of them")
    capture = inputs.load(file)
    if not capture.entries:
        raise UsageError(f"HAR file {file!r}: the capture has no entries (nothing was recorded)")
    chosen = _pick(capture, inputs.conversations(capture), entry, url)
    engines = browser.names() if browser is not None else (_option(capture.engine),)
    given = (one_origin(origin), credentials)
    judged = [_row(capture, c, engines, given, replay, yes, timeout) for c in chosen]
    rows = tuple(r for r in judged if isinstance(r, Row))
    picked = entry is not None or url is not None
    skipped = _skipped(capture, judged, picked, show_secrets)
    from cors_probe.policy.browsers import named

    judging = tuple(named(name).name for name in engines)
    result = Capture(
        file,
        capture.engine,
        rows,
        replayed=replay,
        picked=picked,
        skipped=skipped,
        judged=judging,
        note=_preflight_note(chosen, entry) if entry is not None else "",
    )
    chosen_format = Format.JSON if output_format is HarFormat.JSON else Format.TEXT
    write(result, chosen_format, sys.stdout, RenderOptions(show_secrets, verbose))
    raise typer.Exit(int(exit_code(result)))


def _skipped(
    capture: Har, judged: Sequence[Row | Skipped], picked: bool, show_secrets: bool
) -> tuple[Skipped, ...]:
    """The entries left out, in entry order: those judged unreadable and, for the whole file,
    those that are not http(s). UsageError when the one request picked cannot be judged."""
    from cors_probe.inputs.har import not_web
    from cors_probe.usecases.har import NOT_HTTP, Skipped

    skipped = tuple(r for r in judged if isinstance(r, Skipped))
    if picked and skipped:
        from cors_probe.render.scrub import clean_line, url_secrets

        left = skipped[0]
        why = clean_line(left.reason, url_secrets(left.url) if not show_secrets else set())
        raise UsageError(f"entry {left.entry} cannot be judged: {why}")
    if picked:
        return skipped
    web = {e.number for e in not_web(capture)}
    others = (
        Skipped(e.number, e.method, e.url, NOT_HTTP) for e in capture.entries if e.number in web
    )
    return tuple(sorted((*skipped, *others), key=lambda s: s.entry))


def _preflight_note(chosen: list[HarConversation], entry: int) -> str:
    """`entry 12 is the preflight of entry 11` when --entry named a preflight ('' if not)."""
    for conversation in chosen:
        for hop in conversation.hops:
            if hop.preflight is not None and hop.preflight.number == entry:
                return f"entry {entry} is the preflight of entry {hop.entry.number}"
    return ""


def _option(engine: str | None) -> str:
    """The `--browser` name of a capture's engine (Chromium when not known)."""
    return {"firefox": "firefox", "safari": "safari"}.get(engine or "", "chromium")


def _pick(
    capture: Har, found: list[HarConversation], entry: int | None, pattern: str | None
) -> list[HarConversation]:
    """The conversations asked for: all, the one holding entry `entry`, or the one whose URL
    matches `pattern`; UsageError when the pick names none, or several."""
    from cors_probe.inputs import har as inputs

    if entry is not None:
        if entry > len(capture.entries):
            raise UsageError(f"--entry {entry}: the capture has {len(capture.entries)} entries")
        holding = [
            c
            for c in found
            if any(entry in (h.entry.number, h.preflight and h.preflight.number) for h in c.hops)
        ]
        chosen = capture.entries[entry - 1]
        if not holding and not inputs.is_web(chosen.url):
            from cors_probe.render.scrub import clean_line, url_secrets

            shown = clean_line(chosen.url, url_secrets(chosen.url))
            raise UsageError(f"--entry {entry}: {shown} is not http(s): no CORS fetch() to judge")
        if not holding:
            raise UsageError(
                f"--entry {entry}: not a cross-origin request (a same-origin one, or the page "
                "itself)"
            )
        found = holding
    if pattern is not None:
        import re

        try:
            regex = re.compile(pattern)
        except re.error as error:
            raise UsageError(f"--url {pattern!r}: not a regular expression ({error})") from None
        found = [c for c in found if any(regex.search(h.entry.url) for h in c.hops)]
        if len(found) != 1:
            numbers = ", ".join(str(c.first.number) for c in found)
            raise UsageError(
                f"--url {pattern!r} matches no cross-origin request"
                if not found
                else f"--url {pattern!r} matches {len(found)} requests (entries {numbers}): "
                "give --entry"
            )
    return found


def _row(
    capture: Har,
    conversation: HarConversation,
    engines: tuple[str, ...],
    given: tuple[str | None, bool],
    replay: bool,
    yes: bool,
    timeout: float,
) -> Row | Skipped:
    """One conversation read from the capture and explained (offline, or asked again live);
    Skipped, with the one-line reason, when its request cannot be read (a bad method, header
    name or origin): one such entry never stops the others."""
    from cors_probe.inputs.capture import Overrides, derive
    from cors_probe.inputs.har import captured, recorded
    from cors_probe.inputs.request import build
    from cors_probe.policy.browsers import named
    from cors_probe.usecases.har import Explanation, Row, Skipped, explain, marked

    origin, credentials = given
    first = conversation.first
    try:
        options, derivation = derive(
            captured(conversation, capture.engine),
            Overrides(origin=origin, credentials=credentials),
        )
        shape = build(options)
    except UsageError as error:
        return Skipped(first.number, first.method, first.url, str(error))
    browsers = tuple(named(name) for name in engines)
    if replay:
        report = _live(shape, browsers, yes, timeout)
        explanation = Explanation(marked(report, derivation, captured=False))
    else:
        explanation = explain(shape, recorded(conversation), derivation, browsers)
    if explanation.report is not None and explanation.report.derived is not None:
        derivation = explanation.report.derived  # credentials may have been inferred
    last = conversation.last
    return Row(first.number, first.method, first.url, last.status, explanation, derivation)


def _live(shape: RequestShape, browsers: tuple[Browser, ...], yes: bool, timeout: float) -> Report:
    """`check`'s report against the live server, with check's consent rule (a request with side
    effects needs --yes or a yes at the prompt); no cache probe."""
    from cors_probe.probe.client import ProbeOptions, Prober
    from cors_probe.render.scrub import clean_line, secrets_of
    from cors_probe.usecases import check as use_case

    engines = browsers

    def consent(request: WireRequest) -> bool:
        if yes:
            return True
        asked = f"Send {request.method} {request.url}? It may change data on the server."
        return on_terminal() and ask(clean_line(asked, secrets_of(shape)))

    options = ProbeOptions(timeout=timeout)
    with Prober(options) as prober:
        timed = use_case.Timed(prober.send, options.timeout)
        limit = use_case.default_deadline(options.timeout) * len(engines)
        return use_case.run(shape, timed, browsers=engines, consent=consent, deadline=limit)
