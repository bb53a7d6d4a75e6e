"""The typer app, its root options and `main()`: every error becomes one line and an exit code.

Every error the user can cause becomes one line on stderr and a distinct exit code (see
exitcodes.py); `--debug` (before or after the command) shows the traceback instead. The commands
import use cases and renderers inside their bodies, so `--help` and TAB completion stay as fast
as typer itself (benchmarks/run.py measures start-up against `import typer`).
"""

from __future__ import annotations

import sys
from typing import Annotated, NoReturn

import typer
from typer._click import exceptions as click_exceptions

from cors_probe import __version__
from cors_probe.cli.check import check
from cors_probe.cli.demo import demo
from cors_probe.cli.lab import lab
from cors_probe.cli.options import Debug
from cors_probe.cli.run import run
from cors_probe.cli.simulate import simulate
from cors_probe.errors import CorsProbeError, UsageError
from cors_probe.exitcodes import ExitCode

ABOUT = "Would a browser allow this cross-origin fetch()? Ask the live server, learn exactly why."

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
    debug: Debug = False,
) -> None:
    """Would a browser allow this cross-origin fetch()? Ask the live server, learn exactly why."""
    del debug  # read in main() before parsing


app.command()(check)
app.command()(simulate)
app.command(name="run")(run)
app.command()(demo)
app.command()(lab)


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
