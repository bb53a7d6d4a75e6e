"""The typer app, its root options and `main()`: every error becomes one line and an exit code.

Every error the user can cause becomes one line on stderr and a distinct exit code (see
exitcodes.py); `--debug` (before or after the command) shows the traceback instead.

Start-up (benchmarks/run.py measures `--help` against `import typer`): a command's module, its
options and the model they name are imported only when that command is looked up (run, its own
`--help`, the completion of its options); the root's `--help` and the completion of command names
list them from `SUMMARIES`. The commands import use cases and renderers inside their bodies.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import signal
import sys
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any, TextIO, cast

import typer
from typer import _click as click
from typer._click import exceptions as click_exceptions
from typer._click.shell_completion import CompletionItem
from typer.models import CommandInfo

from cors_probe import __version__
from cors_probe.cli.debug import Debug
from cors_probe.errors import CorsProbeError, UsageError
from cors_probe.exitcodes import ExitCode

ABOUT = "Would a browser allow this cross-origin fetch()? Ask the live server, learn exactly why."

SUMMARIES = {
    "check": "Send the preflight and the actual request a browser would send, and explain the "
    "verdict.",
    "simulate": "Judge a request against answers you state, with no network: the offline what-if.",
    "fix": "Write the server configuration that lets exactly this request through, safely.",
    "har": "Explain every cross-origin request of a HAR capture, offline, as check would.",
    "run": "Check a policy file of expected CORS behaviour: concurrently, with CI-native reports.",
    "demo": "Start the embedded lab on 127.0.0.1, check a tour of its endpoints, print a table.",
    "lab": "Serve the lab and its simulator page until Ctrl-C: real fetch(), predicted verdicts.",
}
"""The commands in `--help`'s order: name -> the first paragraph of its docstring, on one line
(the only part the root's `--help` and the completion of command names show, shortened to fit).
Command `name` is the function `name` of module `cors_probe.cli.name`; tests/cli/test_help.py
checks both."""


class _Commands(MutableMapping[str, click.Command]):
    """The root's commands by name, in `SUMMARIES`' order: a command's module is imported and its
    click command built (as `app.command()` would) at its first look-up, then kept."""

    def __init__(self) -> None:
        self._built: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._built:
            if name not in SUMMARIES:
                raise KeyError(name)
            function = getattr(importlib.import_module(f"cors_probe.cli.{name}"), name)
            info = CommandInfo(name=name, cls=_Command, callback=function)
            self._built[name] = typer.main.get_command_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
        return self._built[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        raise TypeError(f"cors-probe's commands are listed in SUMMARIES, not added ({name!r})")

    def __delitem__(self, name: str) -> None:
        raise TypeError(f"cors-probe's commands are listed in SUMMARIES, not removed ({name!r})")

    def __iter__(self) -> Iterator[str]:
        return iter(SUMMARIES)

    def __len__(self) -> int:
        return len(SUMMARIES)


class _Root(typer.core.TyperGroup):
    """The root group: its commands are `_Commands`, and listing them (the root's `--help`, the
    completion of a command name) shows `SUMMARIES` without importing any command. Looking one
    up (to run it, for its `--help`, to complete its options) builds that one."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(SUMMARIES)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """TyperGroup.format_commands with each command's help taken from `SUMMARIES`."""
        limit = formatter.width - 6 - max(len(name) for name in SUMMARIES)
        rows = [(name, _listed(name).get_short_help_str(limit)) for name in SUMMARIES]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """TyperGroup.shell_complete with each command's help taken from `SUMMARIES`."""
        results = [
            CompletionItem(name, help=_listed(name).get_short_help_str())
            for name in SUMMARIES
            if name.startswith(incomplete)
        ]
        results.extend(click.Command.shell_complete(self, ctx, incomplete))
        return results


def _listed(name: str) -> click.Command:
    """A stand-in for command `name` whose short help is the real one's (click shortens only the
    first paragraph of the help)."""
    return typer.core.TyperCommand(name, help=SUMMARIES[name])


app = typer.Typer(
    cls=_Root,
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


class _Command(typer.core.TyperCommand):
    """A command whose usage line names a required argument as its metavar says (`URL`), where
    typer 0.28 wraps it in braces (`{URL}`, in `TyperArgument.make_metavar`, which a metavar
    cannot opt out of). The help's Arguments section and "Missing argument 'URL'" are typer's."""

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        named = {
            f"{{{param.metavar}}}": param.metavar
            for param in self.get_params(ctx)
            if isinstance(param, typer.core.TyperArgument) and param.metavar
        }
        return [named.get(piece, piece) for piece in super().collect_usage_pieces(ctx)]


class _ReaderMayLeave:
    """sys.stdout for the length of one command: when the reader goes away (`| head`), the rest of
    the output is discarded rather than the command failed, so it finishes and exits with its own
    code. fd 1 is pointed at /dev/null so that no later flush (Python's, at exit) fails again."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.left = False

    def _leave(self) -> None:
        self.left = True
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)

    def write(self, text: str) -> int:
        if not self.left:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._leave()
        return len(text)

    def flush(self) -> None:
        if not self.left:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._leave()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _error(message: str, code: ExitCode, debug: bool, args: list[str]) -> int:
    """One line on stderr (after the traceback with --debug): the same exit code either way. A
    secret the user typed (a mistyped `-H 'Authorization Bearer ...'`, a URL's `?api_key=`) is
    masked in the line and in the traceback, whose messages and source lines may quote it."""
    from cors_probe.render.scrub import scrub_argv_line

    if debug:
        import traceback

        lines = traceback.format_exc().splitlines()
        sys.stderr.write("".join(scrub_argv_line(line, args) + "\n" for line in lines))
    sys.stderr.write(f"cors-probe: error: {scrub_argv_line(message, args)}\n")
    return int(code)


def _exit_now(*_: object) -> None:
    os._exit(int(ExitCode.INTERRUPTED))


def _interrupted() -> int:
    """Say it once; a second Ctrl-C while cors-probe winds down ends it at once, silently (no
    traceback from the unwinding, nor from the interpreter joining worker threads at exit), and
    is ignored once they are joined (Python restores the default handler while it finalises,
    where a late Ctrl-C would kill the process with SIGINT rather than exit 130)."""
    with contextlib.suppress(ValueError):  # not the main thread: main() called by a test
        signal.signal(signal.SIGINT, _exit_now)
        atexit.register(signal.signal, signal.SIGINT, signal.SIG_IGN)
    sys.stderr.write("cors-probe: interrupted\n")
    return int(ExitCode.INTERRUPTED)


def _command(args: list[str], debug: bool) -> int:
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="cors-probe", standalone_mode=False)
    except click_exceptions.NoArgsIsHelpError as error:
        sys.stdout.write(error.ctx.get_help() + "\n" if error.ctx else "")
        return int(ExitCode.USAGE)
    except click_exceptions.UsageError as error:
        return _error(
            error.format_message().replace("\n", " "), ExitCode.USAGE, debug=False, args=args
        )
    except typer.Exit as exit_:
        return int(exit_.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        return _interrupted()
    except UsageError as error:
        return _error(str(error), ExitCode.USAGE, debug, args)
    except CorsProbeError as error:
        return _error(str(error), ExitCode.UNREACHABLE, debug, args)
    except click_exceptions.ClickException as error:
        return _error(error.format_message(), ExitCode.USAGE, debug=False, args=args)
    except Exception as error:  # a bug: say so in one line, keep the traceback for --debug
        message = (
            f"internal error ({type(error).__name__}: {error}); run again with --debug and "
            "report it"
        )
        return _error(message, ExitCode.INTERNAL, debug, args)
    if result == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into a silent exit code 130
        return _interrupted()
    return int(result) if isinstance(result, int) else 0


def main(argv: list[str] | None = None) -> int:
    """The console-script entry point: one line and one exit code for every error.

    `--debug` adds the traceback and keeps the exit code. Ctrl-C: one line, exit 130 (a second
    one exits at once). A closed stdout (`| head`) is not an error: the command runs on with its
    output discarded and exits with its own code; if stdout closes where that code cannot be
    known any more (outside the command's own writes), the exit code is 0.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    original = sys.stdout
    stdout = _ReaderMayLeave(original)
    wrapped = cast(TextIO, stdout)
    sys.stdout = wrapped
    code = 0
    try:
        code = _command(args, debug)
        stdout.flush()
    except KeyboardInterrupt:  # between the command's handlers, or while they wrote
        code = _interrupted()
    except BrokenPipeError:  # stderr's reader left, or a write that bypassed sys.stdout
        stdout._leave()
    finally:
        if sys.stdout is wrapped:
            sys.stdout = original
    return code
