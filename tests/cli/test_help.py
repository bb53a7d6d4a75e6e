"""The root's commands are built when looked up: what the user sees is what an eager app shows.

cli/app.py lists the commands from `SUMMARIES` and imports a command's module only when that
command is looked up, so that `cors-probe --help` costs little more than `import typer`. Each test
here compares the lazy app with a reference built the plain way (`app.command()` on every command
function, all imported up front): the help of the root and of every command at several widths,
the usage errors that name commands, and shell completion of command names and options.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from cors_probe.cli import app as cli_app

COMMANDS = list(cli_app.SUMMARIES)
WIDTHS = ["60", "80", "100"]


def _eager_app() -> typer.Typer:
    """The same Typer app with a plain TyperGroup and every command registered and imported."""
    eager = copy.copy(cli_app.app)
    eager.info = copy.copy(cli_app.app.info)
    eager.info.cls = typer.core.TyperGroup
    eager.registered_commands = []
    for name in COMMANDS:
        function = getattr(importlib.import_module(f"cors_probe.cli.{name}"), name)
        eager.command(cls=cli_app._Command)(function)
    return eager


def _invoke(app: typer.Typer, args: list[str], env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, env=env, prog_name="cors-probe")
    return result.exit_code, result.output


def _same(args: list[str], env: dict[str, str]) -> str:
    lazy = _invoke(cli_app.app, args, env)
    eager = _invoke(_eager_app(), args, env)
    assert lazy == eager
    return lazy[1]


def test_the_eager_reference_is_not_the_lazy_app() -> None:
    assert type(typer.main.get_command(cli_app.app)).__name__ == "_Root"
    assert type(typer.main.get_command(_eager_app())) is typer.core.TyperGroup


@pytest.mark.parametrize("name", COMMANDS)
def test_summary_is_the_first_paragraph_of_the_command_docstring(name: str) -> None:
    function = getattr(importlib.import_module(f"cors_probe.cli.{name}"), name)
    doc = inspect.getdoc(function)
    assert doc is not None
    assert " ".join(doc.split("\n\n")[0].split()) == cli_app.SUMMARIES[name]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("command", [None, *COMMANDS], ids=["root", *COMMANDS])
def test_help_is_the_eager_apps(command: str | None, width: str) -> None:
    args = ["--help"] if command is None else [command, "--help"]
    output = _same(args, {"COLUMNS": width})
    assert output.startswith("Usage: cors-probe ")


def test_root_help_lists_every_command_in_order() -> None:
    output = _same(["-h"], {"COLUMNS": "80"})
    rows = output.split("Commands:\n", 1)[1].splitlines()
    assert [row.split()[0] for row in rows] == COMMANDS


@pytest.mark.parametrize(
    "args",
    [["chek"], ["nope", "--x"], ["check"], ["--bogus"], ["--version"], ["--debug", "run"]],
    ids=["suggested", "unknown", "missing-argument", "unknown-option", "version", "debug"],
)
def test_usage_errors_are_the_eager_apps(args: list[str]) -> None:
    _same(args, {"COLUMNS": "80"})


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize(
    "words", ["cors-probe ", "cors-probe r", "cors-probe --", "cors-probe run --", "cors-probe x "]
)
def test_completion_is_the_eager_apps(shell: str, words: str) -> None:
    env = {
        "_CORS_PROBE_COMPLETE": f"complete_{shell}",
        "_TYPER_COMPLETE_ARGS": words,
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
    }
    assert _same([], env).strip()


def test_commands_mapping_builds_each_command_once_on_look_up() -> None:
    commands = cli_app._Commands()
    assert list(commands) == COMMANDS
    assert len(commands) == len(COMMANDS)
    assert commands["demo"] is commands["demo"]
    assert commands["run"].name == "run"
    with pytest.raises(KeyError):
        commands["nope"]
    assert commands.get("nope") is None
    with pytest.raises(TypeError):
        commands["extra"] = commands["demo"]
    with pytest.raises(TypeError):
        del commands["demo"]


def test_root_help_imports_no_command_module() -> None:
    code = (
        "import contextlib, io, sys\n"
        "from cors_probe.cli.app import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--help']) == 0\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('cors_probe'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(result.stdout.split())
    assert loaded == {
        "cors_probe",
        "cors_probe.cli",
        "cors_probe.cli.app",
        "cors_probe.cli.debug",
        "cors_probe.errors",
        "cors_probe.exitcodes",
    }
