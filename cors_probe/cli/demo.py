"""`cors-probe demo`: the embedded lab, a tour of its endpoints, a table."""

from __future__ import annotations

import sys

from cors_probe.cli.debug import Debug
from cors_probe.cli.options import OutputFormat
from cors_probe.render import Format


def demo(output_format: OutputFormat = Format.TEXT, debug: Debug = False) -> None:
    """Start the embedded lab on 127.0.0.1, check a tour of its endpoints, print a table."""
    del debug
    from cors_probe.lab.server import LabServer
    from cors_probe.lab.tour import DEMO_ORIGIN, shapes
    from cors_probe.probe.client import ProbeOptions, Prober
    from cors_probe.render import write
    from cors_probe.usecases.demo import tour

    with LabServer() as lab, Prober(ProbeOptions(timeout=5.0, trust_env=False)) as prober:
        result = tour(DEMO_ORIGIN, shapes(lab.url), prober.send)
    write(result, output_format, sys.stdout)
