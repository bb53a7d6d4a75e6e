"""The simulator page's prediction is for the engine of the browser that runs the page: the lab
picks it from the User-Agent of the `/lab/predict` request."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from cors_probe.lab.predict import engine_of, predict
from cors_probe.lab.server import LabServer

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)
EDGE = CHROME + " Edg/156.0.0.0"
CHROMIUM = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/120.0"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"
SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/26.1 Safari/605.1.15"
)
EPIPHANY = (
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.0 Safari/605.1.15 Epiphany/605.1.15"
)

# (id, User-Agent, the engine's report key)
AGENTS = [
    ("chrome", CHROME, "chrome"),
    ("edge", EDGE, "chrome"),
    ("chromium", CHROMIUM, "chrome"),
    ("firefox", FIREFOX, "firefox"),
    ("safari", SAFARI, "safari"),
    ("epiphany-webkitgtk", EPIPHANY, "safari"),
    ("curl", "curl/8.5.0", "chrome"),
    ("none", "", "chrome"),
]


@pytest.mark.parametrize(("agent", "key"), [a[1:] for a in AGENTS], ids=[a[0] for a in AGENTS])
def test_the_engine_is_told_by_the_user_agent(agent: str, key: str) -> None:
    assert engine_of(agent).name == key


def settings(url: str) -> dict[str, Any]:
    """A GET with the client hint DPR, answered on GET with `*` and refused on OPTIONS."""
    return {
        "url": url,
        "origin": "http://localhost:3000",
        "method": "GET",
        "headers": [["DPR", "2"]],
        "credentials": False,
        "preflight": {"status": 405, "headers": []},
        "response": {"status": 200, "headers": [["Access-Control-Allow-Origin", "*"]]},
    }


# (id, User-Agent, predicted for, verdict, preflight required)
PREDICTIONS = [
    ("chrome", CHROME, ("chrome", "Chrome", "Chromium 156.0.8078"), "allowed", False),
    ("firefox", FIREFOX, ("firefox", "Firefox", "Firefox 153.8 ESR"), "blocked", True),
    ("safari", SAFARI, ("safari", "Safari", "WebKitGTK 2.50.6"), "blocked", True),
]


@pytest.mark.parametrize(
    ("agent", "engine", "verdict", "preflight"),
    [p[1:] for p in PREDICTIONS],
    ids=[p[0] for p in PREDICTIONS],
)
def test_the_lab_predicts_for_the_engine_of_the_browser_asking(
    agent: str, engine: tuple[str, str, str], verdict: str, preflight: bool
) -> None:
    with LabServer(predict=predict) as lab:
        request = urllib.request.Request(
            lab.url("/lab/predict"),
            data=json.dumps(settings(lab.url("/sim/x"))).encode(),
            headers={"User-Agent": agent, "Content-Type": "text/plain"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            report = json.load(answer)
    predicted = report["predicted_for"]
    assert (predicted["browser"], predicted["label"], predicted["engine"]) == engine
    assert report["browser"] == engine[0]
    assert (report["verdict"], report["preflight"]["required"]) == (verdict, preflight)
    assert report["simulated"] is True


def test_bad_settings_are_answered_400_whatever_the_engine() -> None:
    with LabServer(predict=predict) as lab:
        request = urllib.request.Request(
            lab.url("/lab/predict"),
            data=b"[]",
            headers={"User-Agent": FIREFOX},
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=10)
    assert raised.value.code == 400
    assert raised.value.read() == b"settings must be an object"


def test_the_page_says_which_engine_it_predicted_for() -> None:
    with LabServer() as lab, urllib.request.urlopen(lab.url("/"), timeout=10) as answer:
        page = answer.read().decode("utf-8")
    assert 'id="predict-engine"' in page
    assert "report.predicted_for" in page
    assert "decisive.browser[engine.browser]" in page  # that engine's console line
