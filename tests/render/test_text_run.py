"""`run`'s summary table laid out for the width it has: at 80 columns (CI logs, piped output)
origin joins the check, method the path, `expect` shows only beside a `got` that differs; no row
takes more than two lines, no path breaks inside a segment, and finding codes stay whole."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from cors_probe.render.text_run import _fold_path, print_run
from cors_probe.usecases.results import Run, evaluate
from cors_probe.usecases.simulate import simulate
from cors_probe.usecases.spec import CheckSpec, PolicyFile
from tests.subjects import GOOD, NO_CORS, shape

NAME = "front ends use the items API"
CODES = ("acao-missing", "wildcard-with-acac")


def example_run() -> Run:
    """The README's policy file, as run against an API that dropped `admin` from its list and
    lets `evil` in: 11 checks, failures of each kind."""
    checks = []
    for path in ("/api/items", "/api/items/42"):
        for origin, answers in (("app", GOOD), ("admin", NO_CORS)):
            for method in ("GET", "PUT"):
                data = "{}" if method == "PUT" else None
                headers = ("Content-Type: application/json",) if data else ()
                request = shape(path, method, *headers, data=data)
                spec = CheckSpec(NAME, 15, request, origin, "allowed")
                checks.append((spec, simulate(request, answers)))
    for origin, answers in (("evil", GOOD), ("null", NO_CORS)):
        request = shape("/api/items")
        spec = CheckSpec("untrusted origins are refused", 26, request, origin, "blocked")
        checks.append((spec, simulate(request, answers)))
    health = shape("/health")
    spec = CheckSpec("health is public", 34, health, "evil", "allowed", forbid=CODES[1:])
    checks.append((spec, simulate(health, GOOD)))
    results = [evaluate(spec, report) for spec, report in checks]
    policy = PolicyFile("cors-probe.toml", tuple(spec for spec, _ in checks))
    return Run(policy, results, started="", seconds=0.0)


def table_at(width: int, run: Run | None = None) -> list[str]:
    """The table's rows (each a list of its lines), as printed at `width` columns, plain."""
    out = io.StringIO()
    print_run(run or example_run(), Console(file=out, width=width, color_system=None))
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("─")) + 1
    body = lines[start : lines.index("", start)] if "" in lines[start:] else lines[start:]
    body = [line for line in body if line.strip()]
    rows: list[list[str]] = []
    for line in body:
        if line.lstrip().startswith(("✘", "✔", "-")):
            rows.append([line])
        else:
            rows[-1].append(line)
    return ["\n".join(row) for row in rows]


@pytest.mark.parametrize("width", [80, 120])
def test_every_row_fits_the_width_in_at_most_two_lines(width: int) -> None:
    rows = table_at(width)
    assert len(rows) == 11
    for row in rows:
        lines = row.splitlines()
        assert len(lines) <= 2 if width == 80 else len(lines) == 1, row
        assert all(len(line.rstrip()) <= width for line in lines), row


def test_at_80_columns_the_table_merges_columns_and_keeps_words_whole() -> None:
    out = io.StringIO()
    print_run(example_run(), Console(file=out, width=80, color_system=None))
    header = next(line for line in out.getvalue().splitlines() if "check" in line)
    assert header.split() == ["check", "request", "got", "decisive", "finding"]
    rows = table_at(80)
    first = rows[0]
    words = " ".join(first.split())
    assert first.split()[:2] == ["✘", "FAIL"]
    for word in ("front", "ends", "use", "the", "items", "API", "·", "admin", "acao-missing"):
        assert word in first.split(), first
    assert "want allowed" in words  # the expectation, shown because it differs
    assert "want" not in rows[-1]  # ... and not where it holds
    paths = {w for row in rows for w in row.split() if w.startswith("/")}
    assert paths <= {"/api/items", "/api/items/42", "/health"}, paths  # no path broken
    assert sum("acao-missing" in row.split() for row in rows) == 5  # four failures, one pass


def test_at_120_columns_each_check_is_one_line_with_every_column() -> None:
    rows = table_at(120)
    assert rows[0].split() == [
        "✘", "FAIL", *NAME.split(), "admin", "GET", "/api/items", "allowed", "blocked",
        "acao-missing",
    ]  # fmt: skip
    evil = next(row for row in rows if " evil " in row and "untrusted" in row)
    assert evil.split()[-2:] == ["ACAO:", "https://app.example"]


def test_a_long_path_folds_at_slashes_never_inside_a_segment() -> None:
    assert _fold_path("/api/v2/organisations/7/members?page=3&size=50", 16) == [
        "/api/v2",
        "/organisations/7",
        "/members?page=3",
        "&size=50",
    ]
    assert _fold_path("/a-segment-longer-than-the-width/x", 10) == [
        "/a-segment-longer-than-the-width",
        "/x",
    ]
    assert _fold_path("/", 10) == ["/"]
    long_path = "/api/v2/organisations/7/members/42/permissions"
    run = example_run()
    request = shape(long_path)
    spec = CheckSpec("members", 40, request, "app", "allowed")
    run = Run(run.policy, [evaluate(spec, simulate(request, NO_CORS))], "", 0.0)
    (row,) = table_at(80, run)
    pieces = [w for w in row.split() if w.startswith(("/", "&", "?"))]
    assert "".join(pieces) == long_path
    assert all(re.fullmatch(r"(/[^/?&]*)+", p) for p in pieces), pieces
    assert "acao-missing" in row.split()
