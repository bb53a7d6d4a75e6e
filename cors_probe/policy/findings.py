"""The Finding factory: which request a finding is about, and the finding itself.

Every stage of the conversation (https://fetch.spec.whatwg.org/#main-fetch and the fetches it
calls) reports through a `Where`, so the URL, the fetch's first URL and the page's origin that the
console lines quote are filled in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cors_probe.codes import FindingCode
from cors_probe.model import DetailValue, Finding, Severity, Stage


@dataclass(frozen=True, slots=True)
class Where:
    """Which request a finding is about, for the words and console lines rendered later."""

    stage: Stage
    url: str
    """The serialised URL of the request concerned."""
    first_url: str
    """The fetch's first URL; "" or equal to `url` before any redirect."""
    page_origin: str
    """The page's serialised origin (`null` when opaque)."""

    def finding(
        self,
        code: FindingCode,
        severity: Severity,
        *,
        status: int | None = None,
        header: str | None = None,
        value: str | None = None,
        detail: Mapping[str, DetailValue] | None = None,
    ) -> Finding:
        """A finding at this place; `detail` holds typed facts (see `model.DetailValue`)."""
        return Finding(
            code=code,
            severity=severity,
            stage=self.stage,
            url=self.url,
            first_url=self.first_url if self.first_url != self.url else "",
            page_origin=self.page_origin,
            status=status,
            header=header,
            value=value,
            detail=detail or {},
        )
