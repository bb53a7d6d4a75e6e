"""`cors-probe check`: one request against the live server, as a browser would send it."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import TYPE_CHECKING

import typer

from cors_probe.cli.debug import Debug
from cors_probe.cli.options import (
    AssumeHeader,
    BrowserChoice,
    CaCert,
    CacheProbe,
    Cookie,
    Credentials,
    Data,
    Deadline,
    DryRun,
    Engine,
    FromCurl,
    FromFetch,
    Http2,
    Insecure,
    LocalNetwork,
    MethodGiven,
    ModeGiven,
    OptionalURL,
    OutputFormat,
    PageAddressSpace,
    PageOrigin,
    Proxy,
    Redirect,
    RequestHeaders,
    ShowSecrets,
    Timeout,
    UserAgent,
    Verbose,
    Yes,
    ask,
    on_terminal,
    one_origin,
    request_options,
)
from cors_probe.model import RedirectMode
from cors_probe.render import Format

if TYPE_CHECKING:
    from cors_probe.inputs.request import RequestOptions
    from cors_probe.model import (
        AddressSpace,
        LocalNetworkPermission,
        Report,
        RequestShape,
        WireRequest,
    )
    from cors_probe.probe.client import ProbeOptions
    from cors_probe.probe.resolve import Resolver
    from cors_probe.usecases.assume import Assumed


def check(
    url: OptionalURL = None,
    from_curl: FromCurl = None,
    from_fetch: FromFetch = None,
    origin: PageOrigin = None,
    method: MethodGiven = None,
    header: RequestHeaders = None,
    credentials: Credentials = False,
    cookie: Cookie = None,
    data: Data = None,
    browser: BrowserChoice = Engine.CHROMIUM,
    user_agent: UserAgent = None,
    mode: ModeGiven = None,
    redirect: Redirect = RedirectMode.FOLLOW,
    local_network: LocalNetwork = None,
    page_address_space: PageAddressSpace = None,
    output_format: OutputFormat = Format.TEXT,
    yes: Yes = False,
    dry_run: DryRun = False,
    cache_probe: CacheProbe = True,
    assume_header: AssumeHeader = None,
    timeout: Timeout = 10.0,
    deadline: Deadline = None,
    insecure: Insecure = False,
    cacert: CaCert = None,
    proxy: Proxy = None,
    http2: Http2 = False,
    show_secrets: ShowSecrets = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Send the preflight and the actual request a browser would send, and explain the verdict."""
    del debug  # read in main() before parsing; declared here so it shows in --help
    from cors_probe.probe.client import ProbeOptions
    from cors_probe.probe.resolve import Resolver
    from cors_probe.render import RenderOptions, write
    from cors_probe.usecases.results import report_exit_code

    given = (url, one_origin(origin), method, header or (), credentials, data, cookie)
    request, derivation = request_options(given, mode, from_curl, from_fetch)
    resolve = Resolver()  # one per check: the page's host and every URL's, each asked once
    shape = _shape(
        request,
        resolve,
        user_agent=user_agent,
        redirect=redirect,
        page_address_space=page_address_space,
        local_network=local_network,
    )
    assumed = _assumptions(assume_header)
    options = ProbeOptions(
        timeout=timeout, verify=not insecure, cacert=cacert, http2=http2, proxy=proxy
    )
    report = _report(
        shape,
        options,
        assumed,
        browser.names(),
        resolve,
        yes=yes,
        dry_run=dry_run,
        deadline=deadline,
        cache_probe=cache_probe,
    )
    if derivation is not None:
        report = replace(report, derived=derivation)
    write(report, output_format, sys.stdout, RenderOptions(show_secrets, verbose))
    _tell_unreachable(report)
    _tell_unmatched(assumed, report)
    raise typer.Exit(int(report_exit_code(report)))


def _assumptions(assume_header: list[str] | None) -> list[Assumed]:
    """The --assume-header values; the assumption modules are imported only when asked for."""
    if not assume_header:
        return []
    from cors_probe.inputs.assume import parse_assumption

    return [parse_assumption(h) for h in assume_header]


def _tell_unmatched(assumed: list[Assumed], report: Report) -> None:
    """One line on stderr per `--assume-header` whose URL named no response: it changed
    nothing, which a user comparing two runs must know."""
    if report.dry_run or not assumed:  # nothing was answered, or nothing assumed
        return
    from cors_probe.render.scrub import clean_line, secrets_of
    from cors_probe.usecases.assume import unmatched

    for missed in unmatched(assumed, report):
        line = (
            f"cors-probe: warning: --assume-header for {missed.url} changed nothing: no response "
            "came from that URL (compare it with the URLs in the report, query string included)"
        )
        sys.stderr.write(clean_line(line, secrets_of(report.shape)) + "\n")


def _shape(
    request: RequestOptions,
    resolve: Resolver,
    *,
    user_agent: str | None,
    redirect: RedirectMode,
    page_address_space: AddressSpace | None,
    local_network: LocalNetworkPermission | None,
) -> RequestShape:
    """The request, its page's address space classified (a host name resolved, bounded in time;
    Local Network Access, policy/gates.py)."""
    from cors_probe.inputs.request import build

    options = replace(
        request,
        user_agent=user_agent,
        redirect=redirect,
        page_address_space=page_address_space,
        local_network=local_network,
        resolve=resolve,
    )
    return build(options)


def _tell_unreachable(report: Report) -> None:
    """One line on stderr when a server could not be reached, naming the engines that could not
    when several ran (the first failure's words)."""
    from cors_probe.explain.engines import label
    from cors_probe.render.scrub import clean_line, secrets_of

    failed = [
        (engine.browser, engine.outcome.decisive)
        for engine in report.engines
        if engine.outcome.decisive is not None
        and engine.outcome.decisive.code.value == "unreachable"
    ]
    if not failed:
        return
    decisive = failed[0][1]
    assert decisive is not None
    line = f"cors-probe: error: could not reach {decisive.url}: {decisive.detail['reason']}"
    if report.others:
        line += f" ({', '.join(label(name) for name, _ in failed)})"
    sys.stderr.write(clean_line(line, secrets_of(report.shape)) + "\n")


def _report(
    shape: RequestShape,
    options: ProbeOptions,
    assumed: list[Assumed],
    engines: tuple[str, ...],
    resolve: Resolver,
    *,
    yes: bool,
    dry_run: bool,
    deadline: float | None = None,
    cache_probe: bool = True,
) -> Report:
    """The check use case, sent through the probe (the answers amended by --assume-header); a
    resolver tells the Local Network Access gate where each URL's host name connects."""
    from cors_probe.policy.browsers import named
    from cors_probe.probe.client import Prober
    from cors_probe.usecases import check as use_case

    browsers = tuple(named(name) for name in engines)
    if dry_run:
        return use_case.dry_run(shape, browsers, resolve)

    def consent(request: WireRequest) -> bool:
        if yes:
            return True
        from cors_probe.render.scrub import clean_line, secrets_of

        asked = f"Send {request.method} {request.url}? It may change data on the server."
        question = clean_line(asked, secrets_of(shape))
        return on_terminal() and ask(question)

    with Prober(options) as prober:
        send: use_case.TimedSendFn = prober.send
        if assumed:
            from cors_probe.usecases.simulate import assuming

            send = assuming(send, assumed)
        limit = use_case.default_deadline(options.timeout, deadline) * (
            len(browsers) if deadline is None else 1
        )
        # Timed: each request is given at most what is left of the conversation's deadline
        timed = use_case.Timed(send, options.timeout)
        # the cache probe's own requests get a deadline of their own, as long as one engine's
        seconds = use_case.default_deadline(options.timeout, deadline) if cache_probe else None
        return use_case.run(
            shape,
            timed,
            browsers=browsers,
            consent=consent,
            deadline=limit,
            cache_probe=seconds,
            resolve=resolve,
        )
