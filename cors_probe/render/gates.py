"""The Local Network Access gate as the reports show it: the JSON's `local_network` key and the
text headline's condition on the user's answer (policy/gates.py decides; this only tells)."""

from __future__ import annotations

from typing import Any

from cors_probe.codes import FindingCode
from cors_probe.model import Finding, LocalNetworkPermission, Report, Verdict

GATE_CODES = {
    FindingCode.LOCAL_NETWORK_ACCESS: None,
    FindingCode.LOCAL_NETWORK_DENIED: "denied",
    FindingCode.LOCAL_NETWORK_INSECURE_PAGE: "insecure-page",
}
"""Each gate finding's `gate` value; None: the permission given (granted or prompt)."""


def gate_finding(report: Report) -> Finding | None:
    """The first Local Network Access finding of the report's own engine, if any."""
    return next((f for f in report.outcome.findings if f.code in GATE_CODES), None)


def local_network_dict(report: Report) -> dict[str, Any]:
    """The `local_network` key: `page_address_space` (public, local, loopback or null: no gate
    applies, e.g. an opaque origin), `page_address_space_assumed` (bool), and for the first URL
    the gate stopped or let through with a permission: `url`, `address`, `address_space` (the
    target's), `gate` (`insecure-page`: blocked, the page is not a secure context; `denied`:
    blocked by the user's denial; `granted`; `prompt`: the verdict holds only if the user
    allows it), all null when no gate applied."""
    shape = report.shape
    found = gate_finding(report)
    space = shape.page_address_space.value if shape.page_address_space is not None else None
    gate: str | None = None
    if found is not None:
        gate = GATE_CODES[found.code] or str(found.detail.get("permission", "prompt"))
    return {
        "page_address_space": space,
        "page_address_space_assumed": shape.page_address_space_assumed,
        "permission": (shape.local_network or LocalNetworkPermission.PROMPT).value,
        "url": found.url if found is not None else None,
        "address": found.detail.get("address") if found is not None else None,
        "address_space": found.detail.get("space") if found is not None else None,
        "gate": gate,
    }


def depends_on_user(report: Report) -> bool:
    """Whether the report's verdict holds only if the user allows Local Network Access: allowed,
    with a gate still to be answered (`prompt`)."""
    found = gate_finding(report)
    return (
        report.outcome.verdict is Verdict.ALLOWED
        and found is not None
        and found.code is FindingCode.LOCAL_NETWORK_ACCESS
        and found.detail.get("permission") == LocalNetworkPermission.PROMPT.value
    )
