"""cors-probe's cookie findings against each live engine (tests/browser/cookies.py): for every
cookie of the table, whether the engine sent it back equals whether cors-probe says it comes
back, and the console lines the engine printed equal the ones cors-probe predicts for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.cookies import CHROME_BLOCKING, COOKIES, CookieRun, default_engine, measure
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


@pytest.mark.parametrize("cookie", [name for name, _ in COOKIES])
@pytest.mark.parametrize("engine", NAMES)
def test_a_cookie_set_first_party_comes_back_cross_site_only_when_cors_probe_says_sent(
    engine: str, cookie: str, runs: dict[str, CookieRun]
) -> None:
    """The findings' claim: a cookie `cookie-not-sent-cross-site` is never sent cross-site even
    when set by visiting the API's site; a partitioned one is not sent from the page's site when
    the API's site set it; only a cookie with no finding comes back."""
    run = run_for(runs, engine)
    said = dict(COOKIES)[cookie]
    context = (
        f"{run.version}: `{cookie}=v; {said}` set first-party -> cors-probe {run.codes[cookie]}"
    )
    expected = run.codes[cookie] == "sent"
    if engine == "safari":
        expected = webkitgtk_sends_first_party(said)
    assert (cookie in run.first_party_sent) == expected, context


def webkitgtk_sends_first_party(attributes: str) -> bool:
    """Where WebKitGTK departs from the Safari cors-probe models. Safari's ITP blocks third-party
    cookies both ways; WebKitGTK's default policy (no-third-party, libsoup's
    SOUP_COOKIE_JAR_ACCEPT_NO_THIRD_PARTY) only stops a third party from setting them, so a
    cookie set by visiting the API's site is sent on the page's cross-site fetch unless it is
    SameSite Lax/Strict, or Secure (libsoup keeps no Secure cookie from http://localhost). It
    does not check the `__Secure-` prefix either. Measured; not modelled: cors-probe's `safari`
    is Safari."""
    parts = {part.strip().lower() for part in attributes.split(";")}
    return "secure" not in parts and not parts & {"samesite=lax", "samesite=strict"}


def test_chrome_blocking_third_party_cookies_keeps_only_the_partitioned_ones() -> None:
    """What the words of `third-party-cookies` and `third-party-cookies-blocked` say of Chrome:
    in Incognito, or for a user who blocks third-party cookies, no cookie of a cross-site
    response is kept except a Partitioned one (reason `UserPreferences` in DevTools)."""
    with default_engine("chrome", require("chrome"), CHROME_BLOCKING) as engine:
        run = measure(engine, cli_command(), _clean_env())
    partitioned = {name for name, code in run.codes.items() if code == "cookie-partitioned"}
    assert partitioned
    assert run.sent == partitioned
