"""The `fixes[]` of a report that asked for server configurations (`fix`, `check --server`)."""

from __future__ import annotations

from typing import Any

from cors_probe.model import Report, ServerFix


def fixes_list(report: Report) -> list[dict[str, Any]] | None:
    """`fixes[]` of the JSON document: one object per server asked for (server, snippet,
    snippet_http, explanation, verified_with, source); None when none was asked for."""
    if report.fix is None:
        return None
    from cors_probe.explain.servers import fixes

    return [
        {
            "server": f.server,
            "snippet": f.snippet,
            "snippet_http": f.snippet_http,
            "explanation": f.explanation,
            "verified_with": f.verified_with,
            "source": f.source,
        }
        for f in fixes(report)
    ]


def fixes_text(report: Report) -> str:
    """The fixes as plain text: a heading per server, the snippet(s), the explanation."""
    out = []
    for f in _fixes(report):
        out.append(f"Fix for {f.server}:")
        if f.snippet_http:
            out += ["  in the http {} block:", _indent(f.snippet_http), "  in the location:"]
        out.append(_indent(f.snippet))
        out.append(f"  {f.explanation}")
        proof = (
            f"verified by {f.verified_with}"
            if f.verified_with
            else f"not verified here; follows {f.source}"
        )
        out.append(f"  ({proof})")
        out.append("")
    return "\n".join(out)


def _fixes(report: Report) -> tuple[ServerFix, ...]:
    from cors_probe.explain.servers import fixes

    return fixes(report)


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.rstrip("\n").split("\n"))
