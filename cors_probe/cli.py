"""The command line: options -> a RequestShape; run the check; pick a renderer; map to exit codes.

Every error the user can cause becomes one line on stderr and a distinct exit code (see
exitcodes.py); `--debug` shows the traceback instead. httpx, rich and the renderers are imported
inside the command, so `--help` and TAB completion stay as fast as typer itself.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, NoReturn

import typer
from typer._click import exceptions as click_exceptions

from cors_probe import __version__
from cors_probe.errors import CorsProbeError, UsageError
from cors_probe.exitcodes import ExitCode
from cors_probe.model import Headers, Origin, Report, RequestShape, Verdict
from cors_probe.render import OutputFormat

THIRD_PARTY_ORIGIN = "https://third-party.example"
"""The page origin used without --origin: an unrelated site that no allow-list should contain."""

ABOUT = "Would a browser allow this cross-origin fetch()? Ask the live server, learn exactly why."
COMMON_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

app = typer.Typer(
    name="cors-probe",
    help=ABOUT,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cors-probe {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Would a browser allow this cross-origin fetch()? Ask the live server, learn exactly why."""


def _complete_method(incomplete: str) -> list[str]:
    return [m for m in COMMON_METHODS if m.lower().startswith(incomplete.lower())]


def _parse_header(text: str) -> tuple[str, str]:
    from cors_probe.policy.grammar import is_valid_header_name, is_valid_header_value

    name, colon, value = text.partition(":")
    if not colon:
        raise UsageError(f"header {text!r} has no colon: write it as 'Name: value'")
    name, value = name.strip(), value.strip(" \t")
    if not is_valid_header_name(name):
        raise UsageError(f"{name!r} is not a valid header name")
    if not is_valid_header_value(value):
        raise UsageError(f"the value of header {name!r} holds a control character (CR, LF or NUL)")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise UsageError(
            f"the value of header {name!r} holds characters a browser cannot send (not Latin-1)"
        ) from None
    return name, value


def build_shape(
    url: str,
    origin: str | None,
    method: str,
    headers: list[str],
    credentials: bool,
    data: str | None,
    cookie: str | None,
) -> RequestShape:
    """Validate the user's input and turn it into what the page's script asks for."""
    from cors_probe.policy.grammar import is_token
    from cors_probe.policy.origin import parse_origin
    from cors_probe.policy.url import UrlError, parse_url

    parsed = parse_url(url)
    if isinstance(parsed, UrlError):
        raise UsageError(f"bad URL {url!r}: {parsed.reason}")
    if not parsed.is_http:
        if parsed.opaque is not None and not parsed.opaque.startswith("//"):
            raise UsageError(f"bad URL {url!r}: it must start with http:// or https://")
        raise UsageError(
            f"bad URL {url!r}: {parsed.scheme}:// is not supported; browsers only make CORS "
            "requests to http:// and https:// URLs"
        )
    page: Origin
    if origin is None:
        origin_given = False
        page = Origin("https", THIRD_PARTY_ORIGIN.removeprefix("https://"))
    else:
        origin_given = True
        result = parse_origin(origin)
        if isinstance(result, UrlError):
            raise UsageError(f"bad origin {origin!r}: {result.reason}")
        page = result
    if not is_token(method):
        raise UsageError(f"{method!r} is not a valid HTTP method (fetch() would throw)")
    return RequestShape(
        url=parsed.serialise(),
        origin=page,
        method=method,
        headers=Headers(tuple(_parse_header(h) for h in headers)),
        credentials=credentials,
        body=_read_body(data),
        cookie=cookie,
        origin_given=origin_given,
    )


def _read_body(data: str | None) -> bytes | None:
    """`--data TEXT`, or `--data @FILE` for a file's bytes, as curl reads it."""
    if data is None:
        return None
    if not data.startswith("@"):
        return data.encode("utf-8")
    path = data[1:]
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise UsageError(f"--data {data!r}: {exc.strerror or exc}") from exc


def _ask(question: str) -> bool:
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


EXIT_FOR_VERDICT = {
    Verdict.ALLOWED: ExitCode.ALLOWED,
    Verdict.BLOCKED: ExitCode.BLOCKED,
    Verdict.INCOMPLETE: ExitCode.INCOMPLETE,
    Verdict.UNREACHABLE: ExitCode.UNREACHABLE,
}


def exit_code_for(report: Report) -> ExitCode:
    if report.dry_run and report.outcome.verdict is not Verdict.BLOCKED:
        return ExitCode.ALLOWED
    return EXIT_FOR_VERDICT[report.outcome.verdict]


@app.command()
def check(
    url: Annotated[str, typer.Argument(help="The URL the page's script fetches.")],
    origin: Annotated[
        str | None,
        typer.Option(
            "--origin",
            "-o",
            help="The page's origin, e.g. https://app.example.com, or "
            "null (sandboxed iframe, file://). Default: an unrelated third-party site.",
        ),
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            "-X",
            help="The method exactly as the script writes it "
            "(case matters for non-standard methods: patch is not PATCH).",
            autocompletion=_complete_method,
        ),
    ] = "GET",
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header", "-H", help="A header the script sets, 'Name: value' (repeatable)."
        ),
    ] = None,
    credentials: Annotated[
        bool, typer.Option("--credentials", help="credentials: 'include' (cookies, auth).")
    ] = False,
    cookie: Annotated[
        str | None,
        typer.Option(
            "--cookie",
            help="The Cookie header the browser's cookie jar would add "
            "to a credentialed request (scripts cannot set Cookie).",
        ),
    ] = None,
    data: Annotated[
        str | None,
        typer.Option(
            "--data",
            "-d",
            help="The body: a string, or @FILE for a file's bytes, sent as fetch() sends a "
            "string (Content-Type: text/plain;charset=UTF-8 unless you set one).",
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.TEXT,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            "-y",
            help="Consent to send a request with side effects "
            "(POST, PUT, PATCH, DELETE, ...) to the live server.",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Print the exact requests a browser would send; send nothing."
        ),
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds to wait for each response.")
    ] = 10.0,
    insecure: Annotated[
        bool, typer.Option("--insecure", "-k", help="Do not verify TLS certificates.")
    ] = False,
    cacert: Annotated[
        str | None, typer.Option("--cacert", help="A CA bundle (PEM) to verify TLS with.")
    ] = None,
    http2: Annotated[bool, typer.Option("--http2", help="Allow HTTP/2 (via ALPN).")] = False,
    show_secrets: Annotated[
        bool,
        typer.Option(
            "--show-secrets",
            help="Do not mask Authorization, Cookie and API-key-like header values in the output.",
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show every header and the timeline in detail.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
) -> None:
    """Send the preflight and the actual request a browser would send, and explain the verdict."""
    del debug  # read in main() before parsing; declared here so it shows in --help
    shape = build_shape(url, origin, method, header or [], credentials, data, cookie)
    if cacert is not None and not os.path.isfile(cacert):
        raise UsageError(f"--cacert {cacert!r}: no such file")

    from cors_probe import check as use_case

    if dry_run:
        report = use_case.dry_run(shape)
    else:
        from cors_probe.probe import ProbeOptions, Prober

        def consent(request: object) -> bool:
            if yes:
                return True
            if sys.stdin.isatty() and sys.stderr.isatty():
                return _ask(f"Send {shape.method} {shape.url}? It may change data on the server.")
            return False

        options = ProbeOptions(timeout=timeout, verify=not insecure, cacert=cacert, http2=http2)
        with Prober(options) as prober:
            report = use_case.run(shape, prober.send, consent=consent)

    if output_format is OutputFormat.JSON:
        from cors_probe.render import json as json_render

        sys.stdout.write(json_render.render(report, show_secrets=show_secrets) + "\n")
    else:
        from cors_probe.render import text as text_render

        text_render.print_report(report, show_secrets=show_secrets, verbose=verbose)
    decisive = report.outcome.decisive
    if report.outcome.verdict is Verdict.UNREACHABLE and decisive is not None:
        sys.stderr.write(
            f"cors-probe: error: could not reach {decisive.url}: {decisive.detail['reason']}\n"
        )
    raise typer.Exit(int(exit_code_for(report)))


@app.command()
def demo(
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.TEXT,
) -> None:
    """Start the embedded lab on 127.0.0.1, check a tour of its endpoints, print a table."""
    from cors_probe import check as use_case
    from cors_probe.lab.server import LabServer
    from cors_probe.lab.tour import DEMO_ORIGIN, TOUR
    from cors_probe.probe import ProbeOptions, Prober

    reports: list[tuple[str, str, Report]] = []
    with LabServer() as lab, Prober(ProbeOptions(timeout=5.0, trust_env=False)) as prober:
        for stop in TOUR:
            shape = build_shape(
                lab.url(stop.path),
                DEMO_ORIGIN,
                stop.method,
                list(stop.headers),
                stop.credentials,
                stop.body,
                None,
            )
            # The lab is our own server on loopback: its endpoints have no side effects.
            report = use_case.run(shape, prober.send, consent=lambda _: True)
            reports.append((stop.path, stop.shape, report))
    if output_format is OutputFormat.JSON:
        import json

        from cors_probe.render.json import to_dict

        documents = [{"endpoint": p, "shape": s, "report": to_dict(r)} for p, s, r in reports]
        sys.stdout.write(
            json.dumps(
                {"schema": "cors-probe/demo/1", "checks": documents}, indent=2, ensure_ascii=False
            )
            + "\n"
        )
    else:
        from cors_probe.render.text import print_tour

        print_tour(reports, DEMO_ORIGIN)


def _fail(message: str, code: ExitCode) -> NoReturn:
    sys.stderr.write(f"cors-probe: error: {message}\n")
    raise SystemExit(int(code))


def main(argv: list[str] | None = None) -> int:
    """The console-script entry point: one line and one exit code for every error."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="cors-probe", standalone_mode=False)
    except click_exceptions.NoArgsIsHelpError as error:
        sys.stdout.write(error.ctx.get_help() + "\n" if error.ctx else "")
        return int(ExitCode.USAGE)
    except click_exceptions.UsageError as error:
        _fail(error.format_message().replace("\n", " "), ExitCode.USAGE)
    except typer.Exit as exit_:
        return int(exit_.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.stderr.write("cors-probe: interrupted\n")
        return int(ExitCode.INTERRUPTED)
    except UsageError as error:
        if debug:
            raise
        _fail(str(error), ExitCode.USAGE)
    except CorsProbeError as error:
        if debug:
            raise
        _fail(str(error), ExitCode.UNREACHABLE)
    except click_exceptions.ClickException as error:
        _fail(error.format_message(), ExitCode.USAGE)
    except Exception as error:  # a bug: say so in one line, keep the traceback for --debug
        if debug:
            raise
        _fail(
            f"internal error ({type(error).__name__}: {error}); run again with --debug and "
            "report it",
            ExitCode.INTERNAL,
        )
    return int(result) if isinstance(result, int) else 0
