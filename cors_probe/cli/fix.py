"""`cors-probe fix`: check the request from each allowed origin, then write the configuration
that makes exactly it pass, in the idiom of each `--server` asked for."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Annotated

import typer

from cors_probe.cli.check import _assumptions, _report, _shape
from cors_probe.cli.debug import Debug
from cors_probe.cli.options import (
    AssumeHeader,
    BrowserChoice,
    CaCert,
    Cookie,
    Credentials,
    Data,
    Engine,
    FromCurl,
    FromFetch,
    Insecure,
    MethodGiven,
    OptionalURL,
    OutputFormat,
    PageOrigin,
    Proxy,
    RequestHeaders,
    ShowSecrets,
    Timeout,
    Verbose,
    Yes,
    request_options,
)
from cors_probe.errors import UsageError
from cors_probe.render import Format

ServerNames = Annotated[
    list[str] | None,
    typer.Option(
        "--server",
        "-s",
        metavar="SERVER",
        help="The server or framework to write the configuration for (repeatable): nginx, "
        "apache, caddy, express, fastify, koa, flask, fastapi, django, aiohttp, spring, "
        "aspnetcore, go-rs-cors, vite, ... Default: headers (any server: the headers to send).",
    ),
]
Public = Annotated[
    bool,
    typer.Option(
        "--public",
        help="The data is public: answer `*` where the request allows it (no credentials, "
        "not on a private network) instead of the allow-list.",
    ),
]


def fix(
    url: OptionalURL = None,
    from_curl: FromCurl = None,
    from_fetch: FromFetch = None,
    origin: PageOrigin = None,
    method: MethodGiven = None,
    header: RequestHeaders = None,
    credentials: Credentials = False,
    cookie: Cookie = None,
    data: Data = None,
    server: ServerNames = None,
    public: Public = False,
    browser: BrowserChoice = Engine.CHROMIUM,
    output_format: OutputFormat = Format.TEXT,
    yes: Yes = False,
    assume_header: AssumeHeader = None,
    timeout: Timeout = 10.0,
    insecure: Insecure = False,
    cacert: CaCert = None,
    proxy: Proxy = None,
    show_secrets: ShowSecrets = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Write the server configuration that lets exactly this request through, safely."""
    del debug  # read in main() before parsing; declared here so it shows in --help
    from cors_probe.probe.client import ProbeOptions
    from cors_probe.probe.resolve import Resolver
    from cors_probe.render import RenderOptions, write
    from cors_probe.usecases.fix import fix_request

    servers = _servers(server)
    options = ProbeOptions(timeout=timeout, verify=not insecure, cacert=cacert, proxy=proxy)
    reports = []
    for page in _origins(origin, from_curl, from_fetch):
        given = (url, page, method, header or (), credentials, data, cookie)
        request, _ = request_options(given, None, from_curl, from_fetch)
        resolve = Resolver()
        shape = _shape(
            request,
            resolve,
            user_agent=None,
            redirect=request.redirect,
            page_address_space=None,
            local_network=None,
        )
        assumed = _assumptions(assume_header)
        reports.append(
            _report(
                shape,
                options,
                assumed,
                browser.names(),
                resolve,
                yes=yes,
                dry_run=False,
                cache_probe=False,
            )
        )
    report = replace(reports[0], fix=fix_request(reports, servers, public=public))
    write(report, output_format, sys.stdout, RenderOptions(show_secrets, verbose))
    raise typer.Exit(0)


def _servers(names: list[str] | None) -> tuple[str, ...]:
    """The --server values, checked against explain/servers.SERVERS; `headers` when none."""
    from cors_probe.explain.servers import SERVERS

    for name in names or ():
        if name not in SERVERS:
            raise UsageError(f"unknown --server {name!r}; choose from {', '.join(SERVERS)}")
    return tuple(dict.fromkeys(names or ("headers",)))


def _origins(
    origins: list[str] | None, from_curl: str | None, from_fetch: str | None
) -> list[str | None]:
    """The allow-list (each --origin once, in order); a capture's own origin when none given."""
    if origins:
        return list(dict.fromkeys(origins))
    if from_curl is None and from_fetch is None:
        raise UsageError("give --origin: the page origin (or origins) the server must allow")
    return [None]
