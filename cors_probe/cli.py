"""The command line: options -> a RequestShape; run the check; pick a renderer; map to exit codes.

Every error the user can cause becomes one line on stderr and a distinct exit code (see
exitcodes.py); `--debug` shows the traceback instead. httpx, rich and the renderers are imported
inside the command, so `--help` and TAB completion stay as fast as typer itself.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from typer._click import exceptions as click_exceptions

from cors_probe import __version__
from cors_probe.batch.formats import RunFormat
from cors_probe.batch.options import Unreachable
from cors_probe.errors import CorsProbeError, UsageError
from cors_probe.exitcodes import ExitCode
from cors_probe.render import OutputFormat

if TYPE_CHECKING:
    from cors_probe.model import Report

# model, userinput and everything below them are imported inside the commands: `--help` and TAB
# completion need none of it (benchmarks/run.py measures start-up against `import typer`).

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


def _ask(question: str) -> bool:
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


def exit_code_for(report: Report) -> ExitCode:
    from cors_probe.model import Verdict

    exit_for_verdict = {
        Verdict.ALLOWED: ExitCode.ALLOWED,
        Verdict.BLOCKED: ExitCode.BLOCKED,
        Verdict.INCOMPLETE: ExitCode.INCOMPLETE,
        Verdict.UNREACHABLE: ExitCode.UNREACHABLE,
    }
    if report.dry_run and report.outcome.verdict is not Verdict.BLOCKED:
        return ExitCode.ALLOWED
    return exit_for_verdict[report.outcome.verdict]


URL = Annotated[str, typer.Argument(help="The URL the page's script fetches.")]
PageOrigin = Annotated[
    str | None,
    typer.Option(
        "--origin",
        "-o",
        help="The page's origin, e.g. https://app.example.com, or "
        "null (sandboxed iframe, file://). Default: an unrelated third-party site.",
    ),
]
Method = Annotated[
    str,
    typer.Option(
        "--method",
        "-X",
        help="The method exactly as the script writes it "
        "(case matters for non-standard methods: patch is not PATCH).",
        autocompletion=_complete_method,
    ),
]
RequestHeaders = Annotated[
    list[str] | None,
    typer.Option("--header", "-H", help="A header the script sets, 'Name: value' (repeatable)."),
]
Credentials = Annotated[
    bool, typer.Option("--credentials", help="credentials: 'include' (cookies, auth).")
]
Cookie = Annotated[
    str | None,
    typer.Option(
        "--cookie",
        help="The Cookie header the browser's cookie jar would add "
        "to a credentialed request (scripts cannot set Cookie).",
    ),
]
Data = Annotated[
    str | None,
    typer.Option(
        "--data",
        "-d",
        help="The body: a string, or @FILE for a file's bytes, sent as fetch() sends a "
        "string (Content-Type: text/plain;charset=UTF-8 unless you set one).",
    ),
]
Format = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
ShowSecrets = Annotated[
    bool,
    typer.Option(
        "--show-secrets",
        help="Do not mask Authorization, Cookie and API-key-like header values in the output.",
    ),
]
Insecure = Annotated[bool, typer.Option("--insecure", "-k", help="Do not verify TLS certificates.")]


def _existing_cacert(path: str | None) -> str | None:
    if path is not None and not os.path.isfile(path):
        raise UsageError(f"--cacert {path!r}: no such file")
    return path


CaCert = Annotated[
    str | None,
    typer.Option(
        "--cacert", help="A CA bundle (PEM) to verify TLS with.", callback=_existing_cacert
    ),
]
Http2 = Annotated[bool, typer.Option("--http2", help="Allow HTTP/2 (via ALPN).")]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show every header and the timeline in detail.")
]
Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")]


@app.command()
def check(
    url: URL,
    origin: PageOrigin = None,
    method: Method = "GET",
    header: RequestHeaders = None,
    credentials: Credentials = False,
    cookie: Cookie = None,
    data: Data = None,
    output_format: Format = OutputFormat.TEXT,
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
    assume_header: Annotated[
        list[str] | None,
        typer.Option(
            "--assume-header",
            help="What if the server also sent this header? 'Name: value', set on every "
            "response (preflight and actual) before judging; repeatable.",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds to wait for each response.")
    ] = 10.0,
    insecure: Insecure = False,
    cacert: CaCert = None,
    http2: Http2 = False,
    show_secrets: ShowSecrets = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Send the preflight and the actual request a browser would send, and explain the verdict."""
    del debug  # read in main() before parsing; declared here so it shows in --help
    from cors_probe.model import Verdict
    from cors_probe.userinput import build_shape, parse_header

    shape = build_shape(url, origin, method, header or [], credentials, data, cookie)
    assumed = [parse_header(h) for h in assume_header or []]

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
            send: use_case.SendFn = prober.send
            if assumed:
                from cors_probe.simulate import assuming

                send = assuming(send, assumed)
            report = use_case.run(shape, send, consent=consent)

    _print(report, output_format, show_secrets=show_secrets, verbose=verbose)
    decisive = report.outcome.decisive
    if report.outcome.verdict is Verdict.UNREACHABLE and decisive is not None:
        sys.stderr.write(
            f"cors-probe: error: could not reach {decisive.url}: {decisive.detail['reason']}\n"
        )
    raise typer.Exit(int(exit_code_for(report)))


def _print(
    report: Report, output_format: OutputFormat, *, show_secrets: bool, verbose: bool
) -> None:
    if output_format is OutputFormat.JSON:
        from cors_probe.render import json as json_render

        sys.stdout.write(json_render.render(report, show_secrets=show_secrets) + "\n")
    else:
        from cors_probe.render import text as text_render

        text_render.print_report(report, show_secrets=show_secrets, verbose=verbose)


@app.command(name="run")
def run_policy_file(
    policy_file: Annotated[
        str | None,
        typer.Argument(
            metavar="[FILE]",
            help="The policy file (default: cors-probe.toml, or [tool.cors-probe] in "
            "pyproject.toml).",
        ),
    ] = None,
    output_format: Annotated[
        RunFormat, typer.Option("--format", "-f", help="Output format.")
    ] = RunFormat.TEXT,
    output: Annotated[
        list[str] | None,
        typer.Option(
            "--output",
            help="Write the format to FILE (the terminal then shows the text summary), or "
            "FORMAT:FILE to write another format besides, e.g. junit:cors-junit.xml; "
            "repeatable.",
        ),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, max=256, help="Checks in flight at once.")
    ] = 8,
    rate: Annotated[
        float,
        typer.Option(
            "--rate",
            min=0,
            help="At most this many requests per second to each host (0: no limit).",
        ),
    ] = 0.0,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            "-y",
            help="Consent to every side-effecting request (POST, PUT, PATCH, DELETE, ...) the "
            "file's checks send, even those without allow_side_effects = true.",
        ),
    ] = False,
    unreachable: Annotated[
        Unreachable,
        typer.Option(
            "--unreachable",
            help="An unreachable target: error (exit 3), fail (a failed expectation, exit 1) "
            "or skip.",
        ),
    ] = Unreachable.ERROR,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            help="A previous `run --format json` result: report only what changed "
            "(verdict flips, new findings, new failures); known failures do not fail the run.",
        ),
    ] = None,
    insecure: Insecure = False,
    cacert: CaCert = None,
    http2: Http2 = False,
    show_secrets: ShowSecrets = False,
    debug: Debug = False,
) -> None:
    """Check a policy file of expected CORS behaviour: concurrently, with CI-native reports."""
    del debug
    import time
    from contextlib import ExitStack
    from datetime import UTC, datetime

    from cors_probe.batch.baseline import compare, known_failures, load_baseline
    from cors_probe.batch.destinations import plan as plan_destinations
    from cors_probe.batch.formats import json as json_format
    from cors_probe.batch.formats import write as write_run
    from cors_probe.batch.formats.text import RunProgress, print_run
    from cors_probe.batch.load import load_policy, needing_consent
    from cors_probe.batch.results import CheckResult, exit_code
    from cors_probe.batch.run import Run
    from cors_probe.batch.runner import run_policy
    from cors_probe.batch.spec import CheckSpec
    from cors_probe.batch.spool import Spool
    from cors_probe.model import WireRequest, WireResponse
    from cors_probe.probe import ProbeOptions, Prober

    policy = load_policy(policy_file)
    priors = load_baseline(baseline) if baseline is not None else None
    destinations = plan_destinations(output_format, output or [])
    unconsented = [] if yes else needing_consent(policy)
    if unconsented:
        first = unconsented[0]
        more = f" ({len(unconsented)} checks need it)" if len(unconsented) > 1 else ""
        raise UsageError(
            f"{policy.path}:{first.line}: check {first.name!r} sends {first.shape.method} "
            f"{first.shape.url}, which may change data on the server: add "
            f"allow_side_effects = true to it, or run with --yes{more}; nothing was sent"
        )

    options = ProbeOptions(verify=not insecure, cacert=cacert, http2=http2, max_connections=jobs)
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    clock = time.perf_counter()
    with ExitStack() as stack:
        prober = stack.enter_context(Prober(options))
        wants_json = RunFormat.JSON in destinations.formats
        spool = stack.enter_context(Spool()) if wants_json else None

        def send(spec: CheckSpec, request: WireRequest) -> WireResponse:
            return prober.send(request, timeout=spec.timeout)

        def keep(index: int, result: CheckResult, report: Report) -> None:
            if spool is not None:
                entry = json_format.entry(
                    policy.path,
                    result,
                    report,
                    secrets=policy.secrets,
                    show_secrets=show_secrets,
                )
                spool.write(index, entry)

        with RunProgress(len(policy.checks), policy.secrets) as progress:
            results = run_policy(
                policy,
                send,
                jobs=jobs,
                rate=rate,
                unreachable=unreachable,
                progress=progress,
                on_report=keep,
            )
        changes = compare(results, priors) if priors is not None else []
        run = Run(
            policy=policy,
            results=results,
            started=started,
            seconds=time.perf_counter() - clock,
            baseline=baseline,
            changes=tuple(changes),
            known=known_failures(results, changes) if priors is not None else frozenset(),
        )
        for file_format, path in destinations.files:
            entries = spool.in_order() if spool is not None else ()
            try:
                with open(path, "w", encoding="utf-8") as file:
                    write_run(run, file_format, file, entries=entries, show_secrets=show_secrets)
            except OSError as error:
                raise UsageError(f"--output {path!r}: {error.strerror or error}") from error
        if destinations.stdout is RunFormat.TEXT:
            print_run(run, show_secrets=show_secrets)
        else:
            entries = spool.in_order() if spool is not None else ()
            write_run(
                run, destinations.stdout, sys.stdout, entries=entries, show_secrets=show_secrets
            )
    raise typer.Exit(int(exit_code(results, run.known)))


@app.command()
def simulate(
    url: URL,
    origin: PageOrigin = None,
    method: Method = "GET",
    header: RequestHeaders = None,
    credentials: Credentials = False,
    cookie: Cookie = None,
    data: Data = None,
    preflight_status: Annotated[
        int | None,
        typer.Option(
            "--preflight-status", min=100, max=599, help="The preflight's status (default 204)."
        ),
    ] = None,
    preflight_header: Annotated[
        list[str] | None,
        typer.Option(
            "--preflight-header", help="A header of the preflight response, 'Name: value'."
        ),
    ] = None,
    response_status: Annotated[
        int | None,
        typer.Option(
            "--response-status", min=100, max=599, help="The actual response's status (200)."
        ),
    ] = None,
    response_header: Annotated[
        list[str] | None,
        typer.Option("--response-header", help="A header of the actual response, 'Name: value'."),
    ] = None,
    answers: Annotated[
        str | None,
        typer.Option(
            "--answers",
            help="A TOML file with [preflight] and [response] tables (status, headers); "
            "the options above add to it.",
        ),
    ] = None,
    output_format: Format = OutputFormat.TEXT,
    show_secrets: ShowSecrets = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Judge a request against answers you state, with no network: the offline what-if."""
    del debug
    from cors_probe.model import Headers
    from cors_probe.simulate import Answer, Answers
    from cors_probe.simulate import simulate as run_simulation
    from cors_probe.userinput import build_shape, load_answers, parse_header

    shape = build_shape(url, origin, method, header or [], credentials, data, cookie)
    loaded = load_answers(answers)

    def extended(answer: Answer, status: int | None, headers: list[str] | None) -> Answer:
        """The file's answer, its status overridden and headers added by the options."""
        added = tuple(parse_header(h) for h in headers or [])
        return Answer(status or answer.status, Headers(answer.headers.pairs + added))

    given = Answers(
        preflight=extended(loaded.preflight, preflight_status, preflight_header),
        response=extended(loaded.response, response_status, response_header),
    )
    if 300 <= given.response.status <= 399 and "Location" in given.response.headers:
        raise UsageError(
            "simulate judges one response and does not follow redirects; "
            "run check against the server (or the lab) for redirect chains"
        )
    report = run_simulation(shape, given)
    _print(report, output_format, show_secrets=show_secrets, verbose=verbose)
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
    from cors_probe.userinput import build_shape

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


@app.command()
def lab(
    port: Annotated[
        int, typer.Option("--port", "-p", min=0, max=65535, help="Port (0: any free port).")
    ] = 0,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (keep it on loopback).")
    ] = "127.0.0.1",
) -> None:
    """Serve the lab and its simulator page until Ctrl-C: real fetch(), predicted verdicts."""
    import threading

    from cors_probe.lab.predict import predict
    from cors_probe.lab.server import ROUTES, LabServer

    try:
        server = LabServer(host=host, port=port, predict=predict).start()
    except OSError as error:
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror or error}") from error
    try:
        sys.stdout.write(
            f"cors-probe lab: the simulator page is at {server.url('/')}\n"
            f"demo endpoints: {', '.join(sorted(ROUTES))}\n"
            "Press Ctrl-C to stop.\n"
        )
        sys.stdout.flush()
        threading.Event().wait()
    except KeyboardInterrupt:
        sys.stdout.write("cors-probe lab: stopped\n")
    finally:
        server.stop()
    raise typer.Exit(0)


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
    if result == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into a silent exit code 130
        sys.stderr.write("cors-probe: interrupted\n")
    return int(result) if isinstance(result, int) else 0
