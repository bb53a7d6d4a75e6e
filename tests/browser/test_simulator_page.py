"""The lab's simulator page in real headless Chromium: set the fields, press Send, read the page.

The four classic mistakes, each asserting what the browser really did (the lab saw a preflight or
not; fetch() resolved or not) and that the page shows cors-probe's matching prediction. A
screenshot of the page after a blocked case is saved as a test artefact (not committed).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cors_probe.lab.predict import predict
from cors_probe.lab.server import LabServer
from tests.browser.cdp import Browser

pytestmark = pytest.mark.browser
ARTIFACTS = Path(os.environ.get("CORS_PROBE_ARTIFACTS", Path(__file__).parents[2] / ".artifacts"))


@dataclass(frozen=True)
class Case:
    name: str
    fields: dict[str, str | bool]
    preflight: str
    """The browser's (and the prediction's) preflight counter: yes / no."""
    actual: str
    final: str
    decisive: str
    warning: str | None = None


# Empty ACAO fields mean "the page's origin"; "(none)" leaves a header out.
CASES = [
    Case(
        "json-triggers-a-preflight",
        {"method": "POST", "content-type": "application/json", "body": "{}", "pf-acah": ""},
        preflight="yes",
        actual="not sent",
        final="blocked",
        decisive="header-not-allowed",
    ),
    Case(
        "wildcard-with-credentials",
        {"method": "GET", "credentials": True, "rs-acao": "*", "rs-acac": "true"},
        preflight="no",
        actual="reached",
        final="blocked",
        decisive="wildcard-with-credentials",
    ),
    Case(
        "acac-missing-on-the-actual-response",
        {
            "method": "PUT",
            "content-type": "application/json",
            "body": "{}",
            "credentials": True,
            "pf-acac": "true",
            "pf-acah": "content-type",
            "rs-acac": "",
        },
        preflight="yes",
        actual="reached",
        final="blocked",
        decisive="acac-not-true",
    ),
    Case(
        "vary-origin-missing",
        {"method": "GET", "rs-vary": ""},
        preflight="no",
        actual="reached",
        final="OK",
        decisive="(none)",
        warning="vary-origin-missing",
    ),
]


FILL_AND_SEND = """(() => {
  for (const [id, value] of Object.entries(VALUES)) {
    const el = document.getElementById(id);
    if (el.type === "checkbox") el.checked = value; else el.value = value;
  }
  document.getElementById("status").textContent = "";
  document.getElementById("send").click();
})()"""
READ = "Object.fromEntries(IDS.map((id) => [id, document.getElementById(id).textContent]))"


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    with LabServer(predict=predict) as server:
        yield server


def _reset_and_fill(browser: Browser, fields: dict[str, str | bool]) -> None:
    defaults: dict[str, str | bool] = {
        "method": "GET",
        "content-type": "",
        "headers": "",
        "credentials": False,
        "body": "",
        "pf-status": "204",
        "pf-acao": "",
        "pf-acac": "",
        "pf-acam": "GET, POST, PUT, DELETE",
        "pf-acah": "",
        "pf-max-age": "",
        "pf-vary": "Origin",
        "rs-status": "200",
        "rs-acao": "",
        "rs-acac": "",
        "rs-aceh": "",
        "rs-vary": "Origin",
    }
    values = {**defaults, **fields}
    browser.evaluate(FILL_AND_SEND.replace("VALUES", json.dumps(values)))


def _read(browser: Browser, ids: list[str]) -> dict[str, str]:
    result: dict[str, str] = browser.evaluate(READ.replace("IDS", json.dumps(ids)))
    return result


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_page_shows_the_browsers_outcome_and_the_matching_prediction(
    case: Case, chromium: Browser, lab: LabServer
) -> None:
    chromium.navigate(lab.url("/"))
    before = len(lab.seen)
    _reset_and_fill(chromium, case.fields)
    deadline = time.monotonic() + 20
    while _read(chromium, ["status"])["status"] != "done":
        assert time.monotonic() < deadline, _read(chromium, ["status"])
        time.sleep(0.05)
    shown = _read(
        chromium,
        [
            "browser-preflight",
            "browser-actual",
            "browser-final",
            "predict-preflight",
            "predict-final",
            "predict-decisive",
            "predict-warnings",
            "agreement",
        ],
    )
    assert shown["browser-preflight"] == case.preflight
    assert shown["browser-actual"] == case.actual
    assert shown["browser-final"] == case.final
    assert shown["predict-preflight"] == case.preflight
    assert shown["predict-final"] == case.final
    assert shown["predict-decisive"] == case.decisive
    assert shown["agreement"] == "cors-probe agrees with your browser"
    if case.warning is not None:
        assert case.warning in shown["predict-warnings"]
    # the lab's own log agrees with the page: the browser really sent (or skipped) the preflight
    methods = {m for m, p in lab.seen[before:] if p.startswith("/sim/")}
    assert ("OPTIONS" in methods) == (case.preflight == "yes")
    assert (methods - {"OPTIONS"} != set()) == (case.actual == "reached")
    if case.name == "wildcard-with-credentials":
        chromium.command(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=1280,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )
        shot = chromium.screenshot(ARTIFACTS / "simulator-wildcard-with-credentials.png")
        assert shot.stat().st_size > 10_000
