"""The lab's simulator page in each real engine: set the fields, press Send, read the page.

The page predicts for the engine that runs it (the lab's /lab/predict picks the profile from the
request's User-Agent). For Chromium, Firefox and WebKit alike, each case asserts what the engine
really did (the lab saw a preflight or not, the actual request or not; fetch() resolved or not),
that the page shows cors-probe's matching prediction, says it predicted for that engine, and that
the console line it predicts is one the engine printed. The four classic mistakes behave the same
everywhere; the client hint case is where the engines split. A screenshot of the page after a
blocked case in Chromium is saved as a test artefact (not committed).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cors_probe.lab.predict import predict
from cors_probe.lab.server import LabServer
from cors_probe.policy.browsers import BROWSERS
from tests.browser.conftest import Engines
from tests.browser.engines import NAMES, Chromium, Engine

pytestmark = pytest.mark.browser
ARTIFACTS = Path(os.environ.get("CORS_PROBE_ARTIFACTS", Path(__file__).parents[2] / ".artifacts"))


@dataclass(frozen=True)
class Outcome:
    preflight: str
    """The engine's (and the prediction's) preflight counter: yes / no."""
    actual: str
    final: str
    decisive: str
    warning: str | None = None


@dataclass(frozen=True)
class Case:
    name: str
    fields: dict[str, str | bool]
    outcome: Outcome
    split: Mapping[str, Outcome] = field(default_factory=dict)
    """The engines whose outcome differs from `outcome`, by report key."""

    def expected(self, engine: str) -> Outcome:
        return self.split.get(engine, self.outcome)


# Empty ACAO fields mean "the page's origin"; "(none)" leaves a header out.
CASES = [
    Case(
        "json-triggers-a-preflight",
        {"method": "POST", "content-type": "application/json", "body": "{}", "pf-acah": ""},
        Outcome(preflight="yes", actual="not sent", final="blocked", decisive="header-not-allowed"),
    ),
    Case(
        "wildcard-with-credentials",
        {"method": "GET", "credentials": True, "rs-acao": "*", "rs-acac": "true"},
        Outcome(
            preflight="no", actual="reached", final="blocked", decisive="wildcard-with-credentials"
        ),
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
        Outcome(preflight="yes", actual="reached", final="blocked", decisive="acac-not-true"),
    ),
    Case(
        "vary-origin-missing",
        {"method": "GET", "rs-vary": ""},
        Outcome(
            preflight="no",
            actual="reached",
            final="OK",
            decisive="(none)",
            warning="vary-origin-missing",
        ),
    ),
    # The lab's /client-hint endpoint, written out in the page's fields: readable by anyone on
    # GET, OPTIONS not routed (405, no CORS headers). Chromium safelists the `DPR` client hint and
    # sends no preflight; Firefox and WebKit preflight it, and each names a different reason.
    Case(
        "client-hint-with-options-405",
        {
            "method": "GET",
            "headers": "DPR: 2",
            "pf-status": "405",
            "pf-acao": "(none)",
            "pf-acam": "(none)",
            "pf-vary": "(none)",
            "rs-acao": "*",
            "rs-vary": "(none)",
        },
        Outcome(preflight="no", actual="reached", final="OK", decisive="(none)"),
        split={
            "firefox": Outcome(
                preflight="yes", actual="not sent", final="blocked", decisive="acao-missing"
            ),
            "safari": Outcome(
                preflight="yes", actual="not sent", final="blocked", decisive="preflight-not-ok"
            ),
        },
    ),
]


FILL_AND_SEND = """(() => {
  for (const [id, value] of Object.entries(VALUES)) {
    const el = document.getElementById(id);
    if (el.type === "checkbox") el.checked = value; else el.value = value;
  }
  document.getElementById("status").textContent = "";
  document.getElementById("send").click();
  return true;
})()"""
READ = "Object.fromEntries(IDS.map((id) => [id, document.getElementById(id).textContent]))"
SHOWN = [
    "browser-preflight",
    "browser-actual",
    "browser-final",
    "predict-engine",
    "predict-preflight",
    "predict-final",
    "predict-decisive",
    "predict-console",
    "predict-warnings",
    "agreement",
]
PROFILES = {b.name: b for b in BROWSERS}


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    with LabServer(predict=predict) as server:
        yield server


def _reset_and_fill(engine: Engine, fields: dict[str, str | bool]) -> None:
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
    engine.evaluate(FILL_AND_SEND.replace("VALUES", json.dumps(values)))


def _read(engine: Engine, ids: list[str]) -> dict[str, str]:
    result: dict[str, str] = engine.evaluate(READ.replace("IDS", json.dumps(ids)))
    return result


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("name", NAMES)
def test_the_page_shows_the_engines_outcome_and_the_matching_prediction(
    name: str, case: Case, engines: Engines, lab: LabServer
) -> None:
    engine = engines.get(name)
    expected = case.expected(name)
    engine.navigate(lab.url("/"))
    before = len(lab.seen)
    mark = engine.console_mark()
    _reset_and_fill(engine, case.fields)
    deadline = time.monotonic() + 20
    while _read(engine, ["status"])["status"] != "done":
        assert time.monotonic() < deadline, _read(engine, ["status"])
        time.sleep(0.05)
    console = engine.settle(mark)
    shown = _read(engine, SHOWN)
    profile = PROFILES[name]
    assert shown["predict-engine"] == f"{profile.label} ({profile.engine})", shown
    # what the engine did, as the page shows it
    assert shown["browser-preflight"] == expected.preflight, shown
    assert shown["browser-actual"] == expected.actual, shown
    assert shown["browser-final"] == expected.final, shown
    # what cors-probe predicted for that engine
    assert shown["predict-preflight"] == expected.preflight, shown
    assert shown["predict-final"] == expected.final, shown
    assert shown["predict-decisive"] == expected.decisive, shown
    assert shown["agreement"] == "cors-probe agrees with your browser", shown
    if expected.warning is not None:
        assert expected.warning in shown["predict-warnings"], shown
    if expected.final == "blocked":
        assert shown["predict-console"], shown
        assert shown["predict-console"] in console, (shown["predict-console"], console)
    else:
        assert shown["predict-console"] == "", shown
    # the lab's own log agrees with the page: the engine really sent (or skipped) the preflight
    methods = {m for m, p in lab.seen[before:] if p.startswith("/sim/")}
    assert ("OPTIONS" in methods) == (expected.preflight == "yes"), methods
    assert (methods - {"OPTIONS"} != set()) == (expected.actual == "reached"), methods
    if case.name == "wildcard-with-credentials" and isinstance(engine, Chromium):
        engine.browser.command(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=1280,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )
        shot = engine.browser.screenshot(ARTIFACTS / "simulator-wildcard-with-credentials.png")
        assert shot.stat().st_size > 10_000


def test_the_engines_split_on_a_case_the_page_can_express() -> None:
    """At least one case where Chromium and the other engines disagree, so that the page's
    prediction is shown to follow the engine that runs it, not one fixed profile."""
    assert any(len({c.expected(n).final for n in NAMES}) > 1 for c in CASES)
