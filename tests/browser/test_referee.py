"""cors-probe's verdicts against live Chromium, scenario by scenario (see scenarios.py).

For each scenario: the verdict equals Chromium's outcome, `preflight.required` equals whether
Chromium sent a preflight, the first error finding's Chrome line equals Chromium's console line
character for character, and the readable response headers are the ones script could read.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.browser.cdp import Browser
from tests.browser.referee import Comparison, referee
from tests.browser.scenarios import SCENARIOS
from tests.conftest import _clean_env, cli_command

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def comparisons(chromium: Browser) -> dict[str, Comparison]:
    results = referee(chromium, SCENARIOS, cli_command(), _clean_env())
    return {c.scenario.name: c for c in results}


def test_the_table_covers_every_rule_family() -> None:
    families = Counter(s.family for s in SCENARIOS)
    assert len(SCENARIOS) >= 200
    assert len({s.name for s in SCENARIOS}) == len(SCENARIOS)
    for family in (
        "acao",
        "credentials",
        "trigger",
        "method",
        "preflight",
        "allow-headers",
        "max-age",
        "redirect",
        "expose",
        "error",
    ):
        assert families[family] > 0, family


@pytest.mark.parametrize("name", [s.name for s in SCENARIOS])
def test_cors_probe_agrees_with_chromium(name: str, comparisons: dict[str, Comparison]) -> None:
    c = comparisons[name]
    context = (
        f"chromium received {c.chromium.received}, error {c.chromium.error}; "
        f"probe codes {c.probe.codes} {c.probe.stderr}"
    )
    assert c.probe.verdict == c.chromium_verdict, context
    assert c.probe.preflight_required == c.chromium.preflight_sent, context
    if not c.chromium.resolved:
        assert c.chromium.console is not None, "Chromium printed no console line"
        assert c.probe.chrome == c.chromium.console
    elif c.readable_agrees is not None:
        assert sorted(c.probe.readable) == sorted(c.chromium.readable)
    if c.probe.verdict == "allowed":
        assert c.probe.exit_code == 0
    else:
        assert c.probe.exit_code == 1


def test_headers_the_browser_drops_are_the_ones_reported(
    comparisons: dict[str, Comparison],
) -> None:
    """Forbidden headers (Cookie, Referer) and, in Chromium, User-Agent never reach the server as
    the script wrote them; cors-probe names exactly those."""
    checked = 0
    for c in comparisons.values():
        if c.chromium.actual_sent:
            checked += 1
            assert sorted(c.probe.dropped) == sorted(c.chromium.lost), c.scenario.name
    assert checked > 100


def test_the_actual_request_reaches_the_server_when_chromium_sends_it(
    comparisons: dict[str, Comparison],
) -> None:
    """A blocked preflight means no actual request, in Chromium and in the report alike."""
    for c in comparisons.values():
        if c.chromium.preflight_sent and not c.chromium.actual_sent:
            assert c.probe.verdict == "blocked", c.scenario.name
