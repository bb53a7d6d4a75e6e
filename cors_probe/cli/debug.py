"""`--debug`, the option the root and every command take (main() reads it before parsing).

Its own module so that the root, whose `--help` imports no command, can declare it.
"""

from __future__ import annotations

from typing import Annotated

import typer

Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")]
