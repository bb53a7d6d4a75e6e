"""`cors-probe simulate`: the offline what-if, judged against answers the user states."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from cors_probe.cli.debug import Debug
from cors_probe.cli.options import (
    BrowserChoice,
    Cookie,
    Credentials,
    Data,
    Engine,
    FromCurl,
    FromFetch,
    LocalNetwork,
    MethodGiven,
    ModeGiven,
    OptionalURL,
    OutputFormat,
    PageAddressSpace,
    PageOrigin,
    Redirect,
    RequestHeaders,
    ShowSecrets,
    UserAgent,
    Verbose,
    one_origin,
    request_options,
)
from cors_probe.errors import UsageError
from cors_probe.model import RedirectMode
from cors_probe.render import Format

if TYPE_CHECKING:
    from cors_probe.usecases.simulate import Answers

PreflightStatus = Annotated[
    int | None,
    typer.Option(
        "--preflight-status", min=100, max=599, help="The preflight's status (default 204)."
    ),
]
PreflightHeaders = Annotated[
    list[str] | None,
    typer.Option("--preflight-header", help="A header of the preflight response, 'Name: value'."),
]
ResponseStatus = Annotated[
    int | None,
    typer.Option("--response-status", min=100, max=599, help="The actual response's status (200)."),
]
ResponseHeaders = Annotated[
    list[str] | None,
    typer.Option("--response-header", help="A header of the actual response, 'Name: value'."),
]
AnswersFile = Annotated[
    str | None,
    typer.Option(
        "--answers",
        help="A TOML file with [preflight] and [response] tables (status, headers); "
        "the options above add to it.",
    ),
]


def simulate(
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
    preflight_status: PreflightStatus = None,
    preflight_header: PreflightHeaders = None,
    response_status: ResponseStatus = None,
    response_header: ResponseHeaders = None,
    answers: AnswersFile = None,
    output_format: OutputFormat = Format.TEXT,
    show_secrets: ShowSecrets = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Judge a request against answers you state, with no network: the offline what-if."""
    del debug
    from dataclasses import replace

    from cors_probe.inputs.request import build
    from cors_probe.policy.browsers import named
    from cors_probe.render import RenderOptions, write
    from cors_probe.usecases.results import report_exit_code
    from cors_probe.usecases.simulate import simulate as run_simulation

    given = (url, one_origin(origin), method, header or (), credentials, data, cookie)
    request, derivation = request_options(given, mode, from_curl, from_fetch)
    shape = build(
        replace(
            request,
            user_agent=user_agent,
            redirect=redirect,
            page_address_space=page_address_space,
            local_network=local_network,
        )
    )
    stated = _answers(answers, preflight_status, preflight_header, response_status, response_header)
    browsers = tuple(named(name) for name in browser.names())
    report = run_simulation(shape, stated, browsers)
    if derivation is not None:
        report = replace(report, derived=derivation)
    write(report, output_format, sys.stdout, RenderOptions(show_secrets, verbose))
    raise typer.Exit(int(report_exit_code(report)))


def _answers(
    path: str | None,
    preflight_status: int | None,
    preflight_header: list[str] | None,
    response_status: int | None,
    response_header: list[str] | None,
) -> Answers:
    """The stated answers: the --answers file, amended by the options (UsageError for a redirect,
    which simulate does not follow)."""
    from cors_probe.inputs.answers import extended, load_answers
    from cors_probe.usecases.simulate import Answers

    loaded = load_answers(path)
    given = Answers(
        preflight=extended(loaded.preflight, preflight_status, preflight_header or ()),
        response=extended(loaded.response, response_status, response_header or ()),
    )
    if 300 <= given.response.status <= 399 and "Location" in given.response.headers:
        raise UsageError(
            "simulate judges one response and does not follow redirects; "
            "run check against the server (or the lab) for redirect chains"
        )
    return given
