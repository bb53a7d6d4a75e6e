"""The server-neutral fix: which headers to send on which response, for any server not listed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cors_probe.explain.servers.common import explain, preflight_headers, response_headers

if TYPE_CHECKING:
    from cors_probe.explain.servers import Server, Snippet
    from cors_probe.model import CorsNeed


def write(need: CorsNeed) -> Snippet:
    """Plain HTTP: the preflight's answer (when one is sent) and every response's headers."""
    from cors_probe.explain.servers import Snippet

    lines = []
    if need.preflight:
        lines.append("# the answer to the preflight (OPTIONS): status 204, before authentication")
        lines += [f"{name}: {value}" for name, value in preflight_headers(need)]
        lines.append("")
    lines.append("# every response to the request, error statuses included")
    lines += [f"{name}: {value}" for name, value in response_headers(need)]
    return Snippet("\n".join(lines) + "\n", explain(need))


def _servers() -> tuple[Server, ...]:
    from cors_probe.explain.servers import Server

    return (Server("headers", "any server: the headers to send", write),)


SERVERS = _servers()
