"""`cors-probe lab`: serve the lab and its simulator page until Ctrl-C."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cors_probe.cli.debug import Debug
from cors_probe.errors import UsageError

Port = Annotated[
    int, typer.Option("--port", "-p", min=0, max=65535, help="Port (0: any free port).")
]
Host = Annotated[str, typer.Option("--host", help="Address to listen on (keep it on loopback).")]


def lab(port: Port = 0, host: Host = "127.0.0.1", debug: Debug = False) -> None:
    """Serve the lab and its simulator page until Ctrl-C: real fetch(), predicted verdicts."""
    del debug
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
