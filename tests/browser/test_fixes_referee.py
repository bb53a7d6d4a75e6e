"""The fixes cors-probe offers, applied to the server and judged by a live engine.

For every referee scenario (scenarios.py) that cors-probe blocks with a decisive finding that has
`header_fixes`, the fixed scenario is the same routes with each fix's header set (replacing the
same-named lines) on the answer it names: the OPTIONS answer for a preflight fix, every other
answer for an actual fix, at the route of the fix's URL. The live engine then runs the fixed
fetch() and cors-probe the same check: the engine must no longer print the console line of the
finding that was fixed, and cors-probe must agree with the engine on the fixed scenario (verdict
and console lines), so a fix is never offered that the browser would still block on.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import Engines
from tests.browser.engines import NAMES
from tests.browser.referee import Place, install, referee, run_in_probe, servers
from tests.browser.scenarios import SCENARIOS, Answer, Scenario
from tests.conftest import _clean_env, cli_command

pytestmark = pytest.mark.browser

_FIXED: dict[str, list[tuple[Scenario, dict[str, Any]]]] = {}


def _set(
    headers: tuple[tuple[str, str], ...], name: str, value: str
) -> tuple[tuple[str, str], ...]:
    kept = tuple(pair for pair in headers if pair[0].lower() != name.lower())
    return (*kept, (name, value))


def fixed(scenario: Scenario, place: Place, fixes: list[dict[str, Any]]) -> Scenario | None:
    """`scenario` with every fix applied to its routes; None when a fix names no route of it."""
    routes = {path: dict(table) for path, table in scenario.routes.items()}
    prefix = f"/s/{scenario.name}"
    for fix in fixes:
        path = urlsplit(fix["url"]).path
        if not path.startswith(prefix) or path[len(prefix) :] not in routes:
            return None
        table = routes[path[len(prefix) :]]
        value = fix["value"].replace(place.origin, "{origin}")
        if fix["stage"] == "preflight":
            answer = table.get("options") or table.get("any") or Answer()
            table["options"] = replace(answer, headers=_set(answer.headers, fix["name"], value))
        else:
            for method in [m for m in table if m != "options"] or ["any"]:
                answer = table.get(method, Answer())
                table[method] = replace(answer, headers=_set(answer.headers, fix["name"], value))
    return replace(scenario, name=f"{scenario.name}-fixed", routes=routes)


def fixed_scenarios(engine: str) -> list[tuple[Scenario, dict[str, Any]]]:
    """Each scenario cors-probe blocks with a header fix, fixed, with the finding it fixes."""
    if engine in _FIXED:
        return _FIXED[engine]
    found: list[tuple[Scenario, dict[str, Any]]] = []
    with servers() as (page, api, place):
        for scenario in SCENARIOS:
            install(api, place, scenario, page)
        with ThreadPoolExecutor(max_workers=3) as pool:
            probed = list(
                pool.map(
                    lambda s: run_in_probe(cli_command(), _clean_env(), place, s, engine),
                    SCENARIOS,
                )
            )
        for scenario, probe in zip(SCENARIOS, probed, strict=True):
            document = probe.document
            if document is None or document["verdict"] != "blocked":
                continue
            decisive = next(f for f in document["findings"] if f["severity"] == "error")
            if not decisive["header_fixes"]:
                continue
            changed = fixed(scenario, place, decisive["header_fixes"])
            if changed is not None:
                found.append((changed, decisive))
    _FIXED[engine] = found
    return found


def _decisive(document: dict[str, Any] | None) -> dict[str, Any] | None:
    if document is None:
        return None
    return next((f for f in document["findings"] if f["severity"] == "error"), None)


def _where(finding: dict[str, Any] | None, name: str) -> tuple[str, str, str] | None:
    """The finding's code, stage and route (the path after the scenario's prefix)."""
    if finding is None:
        return None
    path = urlsplit(finding["url"]).path.removeprefix(f"/s/{name}")
    return finding["code"], finding["stage"], path


@pytest.mark.parametrize("engine", NAMES)
def test_every_header_fix_passes_the_step_in_the_engine(engine: str, engines: Engines) -> None:
    cases = fixed_scenarios(engine)
    assert len(cases) >= 20, [s.name for s, _ in cases]
    results = referee(engines.get(engine), [s for s, _ in cases], cli_command(), _clean_env())
    failures = []
    for comparison, (scenario, before) in zip(results, cases, strict=True):
        still = _where(before, scenario.name.removesuffix("-fixed")) == _where(
            _decisive(comparison.probe.document), scenario.name
        )
        agrees = comparison.verdict_agrees and comparison.console_agrees is not False
        if still or not agrees:
            failures.append(
                f"{scenario.name}: fixed {before['code']} with "
                f"{[h['assume'] for h in before['header_fixes']]}; engine "
                f"{comparison.engine_verdict} {comparison.engine.console}, cors-probe "
                f"{comparison.probe.verdict} {comparison.probe.decisive}"
            )
    codes = sorted({before["code"] for _, before in cases})
    print(f"\n{engine}: {len(cases) - len(failures)}/{len(cases)} fixed scenarios pass; {codes}")
    assert not failures, "\n".join(failures)
