"""Configuration snippets per server and framework: a CorsNeed written in each one's own idiom.

    fixes(report)  ->  (ServerFix(server="nginx", snippet=..., snippet_http=..., ...), ...)

One module per server family holds its writer, a `Snippet` from a `CorsNeed` (need.py derives
the need from a check's Report). Every writer is safe by construction: an explicit allow-list
matched exactly (never the request's Origin echoed unchecked, never an unanchored pattern),
credentials only when the request uses them, only the methods and headers asked for, `Vary:
Origin` whenever the answer depends on Origin, CORS headers on error responses too, OPTIONS
answered before authentication, and Access-Control-Max-Age within every engine's cap.

The servers that run on this machine are verified: tests apply each snippet to the real server
on loopback (`verified_with` names the test). The others follow their documentation (`source`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cors_probe.model import CorsNeed, Report, ServerFix


@dataclass(frozen=True, slots=True)
class Snippet:
    """A writer's answer: the configuration and why each part is there."""

    snippet: str
    """The configuration, ready to paste (for nginx: inside the API's `location`)."""
    explanation: str
    """Plain sentences: what each part does, what it replaces, what to remove."""
    snippet_http: str | None = None
    """nginx only: what goes in the `http {}` block."""


Writer = Callable[[CorsNeed], Snippet]


@dataclass(frozen=True, slots=True)
class Server:
    """A `--server` choice: its writer and how its snippets are proven."""

    name: str
    """The `--server` value."""
    title: str
    """How people call it (`nginx`, `Express + cors`)."""
    write: Writer
    verified_with: str | None = None
    """The pytest node id (file::test[server]) that applies this writer's snippets to the real
    server; None when it cannot run here."""
    source: str | None = None
    """The documentation a snippet not verified here follows."""


SERVERS: dict[str, Server] = {}
"""Every `--server` choice by name, in `--help` order (filled by `_register` below)."""


def _register(*servers: Server) -> None:
    for server in servers:
        SERVERS[server.name] = server


def fixes(report: Report) -> tuple[ServerFix, ...]:
    """The ServerFix of every server `report.fix` asks for, in the order asked; () when the
    report asks for none. KeyError for a name not in SERVERS (the CLI refuses those first)."""
    if report.fix is None:
        return ()
    from cors_probe.explain.servers.need import need_of

    need = need_of(report)
    out = []
    for name in report.fix.servers:
        server = SERVERS[name]
        written = server.write(need)
        out.append(
            ServerFix(
                server=name,
                snippet=written.snippet,
                explanation=written.explanation,
                verified_with=server.verified_with,
                snippet_http=written.snippet_http,
                source=server.source,
            )
        )
    return tuple(out)


def _load() -> None:
    from cors_probe.explain.servers import headers

    _register(*headers.SERVERS)


_load()
