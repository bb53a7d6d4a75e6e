"""cors-probe's cookie findings against each live engine (tests/browser/cookies.py): for every
cookie of the table, whether the engine sent it back equals whether cors-probe says it comes
back, and the console lines the engine printed equal the ones cors-probe predicts for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.cookies import COOKIES, CookieRun, default_engine, measure
from tests.browser.engines import NAMES, require
from tests.conftest import _clean_env, cli_command

pytestmark = pytest.mark.browser

_RUNS: dict[str, CookieRun] = {}


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[str, CookieRun]]:
    yield _RUNS
    _RUNS.clear()


def run_for(runs: dict[str, CookieRun], name: str) -> CookieRun:
    """The engine measured once per module, in an instance with its default cookie policy."""
    if name not in runs:
        with default_engine(name, require(name)) as engine:
            runs[name] = measure(engine, cli_command(), _clean_env())
    return runs[name]


@pytest.mark.parametrize("cookie", [name for name, _ in COOKIES])
@pytest.mark.parametrize("engine", NAMES)
def test_the_engine_sends_back_the_cookies_cors_probe_says_it_does(
    engine: str, cookie: str, runs: dict[str, CookieRun]
) -> None:
    run = run_for(runs, engine)
    assert run.verdict == "allowed"
    said = dict(COOKIES)[cookie]
    context = f"{run.version}: `{cookie}=v; {said}` -> cors-probe {run.codes[cookie]}"
    assert (cookie in run.sent) == (cookie in run.predicted_sent), context


@pytest.mark.parametrize("engine", NAMES)
def test_the_engine_prints_the_console_lines_cors_probe_predicts(
    engine: str, runs: dict[str, CookieRun]
) -> None:
    run = run_for(runs, engine)
    assert run.console == run.predicted_console
