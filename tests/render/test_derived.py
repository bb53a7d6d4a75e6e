"""How a captured request became the checked one, in every format (render/derived.py): shown
first in text, a `derived` object in JSON, and the captured secrets masked everywhere unless
--show-secrets, by name and by value."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest

from cors_probe.model import Derivation, DroppedHeader, Report
from cors_probe.render import Format, RenderOptions, write
from tests.subjects import allowed

DROPPED_SECRET = "dropped-api-key-1234"
DERIVATION = Derivation(
    source="curl",
    origin_from="Origin",
    credentials_from="Cookie",
    dropped=(
        DroppedHeader("Sec-Fetch-Mode", "cors", "sec"),
        DroppedHeader("Cookie", "sid=captured-cookie-value", "cookie"),
        DroppedHeader("Proxy-Authorization", f"Basic {DROPPED_SECRET}", "forbidden"),
    ),
    overridden=("--cookie",),
    engine="firefox",
)


def _derived() -> Report:
    return replace(allowed(), derived=DERIVATION)


def _written(report: Report, output_format: Format, show_secrets: bool = False) -> str:
    out = io.StringIO()
    write(report, output_format, out, RenderOptions(show_secrets=show_secrets, to_file=True))
    return out.getvalue()


def test_text_says_first_how_the_request_was_derived() -> None:
    text = " ".join(_written(_derived(), Format.TEXT).split())
    assert text.startswith("From the cURL command (captured by Firefox): origin ")
    assert "(from Origin)" in text
    assert (
        "Sec-Fetch-Mode (sec), Cookie (the cookie jar's), Proxy-Authorization (forbidden)" in text
    )
    assert "replaced by flags: --cookie" in text
    assert "--browser firefox for Firefox's verdict" in text
    assert text.index("From the cURL command") < text.index("ALLOWED")


def test_json_has_the_derived_object_with_values_masked() -> None:
    document = json.loads(_written(_derived(), Format.JSON))["derived"]
    assert document == {
        "source": "curl",
        "engine": "firefox",
        "origin_from": "Origin",
        "credentials_from": "Cookie",
        "dropped": [
            {"name": "Sec-Fetch-Mode", "value": "cors", "reason": "sec"},
            {"name": "Cookie", "value": "****", "reason": "cookie"},
            {"name": "Proxy-Authorization", "value": "Basic ****", "reason": "forbidden"},
        ],
        "overridden": ["--cookie"],
    }
    assert json.loads(_written(allowed(), Format.JSON))["derived"] is None


@pytest.mark.parametrize("output_format", list(Format))
def test_a_dropped_secret_is_masked_in_every_format(output_format: Format) -> None:
    """Its value is no part of the checked request (the cookie was replaced), yet never shown."""
    assert DROPPED_SECRET not in _written(_derived(), output_format)
    assert "captured-cookie-value" not in _written(_derived(), output_format)
    if output_format is Format.JSON:
        assert DROPPED_SECRET in _written(_derived(), output_format, show_secrets=True)
