"""Property: whatever the user types, `check` and `simulate` end with a documented exit code, never
a traceback, and a usage error is exactly one line on stderr.

Nothing is sent: `simulate` is offline, `check` runs with --dry-run. In process, through main().
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cors_probe.cli.app import main

DOCUMENTED = {0, 1, 2, 3, 4}

_url_chars = st.sampled_from(
    [*"abcxyz019.-_~:/?#[]@!$&'()*+,;=%", "%C3", "%28", "%00", "[::1", "é", "\u0662", " "]
)
_tail = st.lists(_url_chars, max_size=12).map("".join)
urls = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda s, t: s + t, st.sampled_from(["http://", "https://", "ftp://", "", "HTTP:"]), _tail
    ),
    st.sampled_from(["http://%C3%28:8080/", "http://[::1/x", "http://127.0.0.1:9/p", "null"]),
)
methods = st.one_of(
    st.sampled_from(["GET", "POST", "PUT", "patch", "OPTIONS"]), st.text(max_size=6)
)
headers = st.one_of(
    st.builds(
        lambda n, v: f"{n}: {v}",
        st.sampled_from(["X-A", "Content-Type", "Bad Name"]),
        st.text(max_size=8),
    ),
    st.text(max_size=12),
)
timeouts = st.one_of(
    st.sampled_from(["inf", "-inf", "nan", "1e300", "0", "0.1", "3600", "abc", ""]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def argvs(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from([["simulate"], ["check", "--dry-run"]]))
    argv = [*command, draw(urls)]
    for origin in draw(st.lists(urls, max_size=2)):
        argv += ["--origin", origin]
    if draw(st.booleans()):
        argv += ["-X", draw(methods)]
    for header in draw(st.lists(headers, max_size=2)):
        argv += ["-H", header]
    if command[0] == "check" and draw(st.booleans()):
        argv += ["--timeout", draw(timeouts)]
    if draw(st.booleans()):
        argv += ["--credentials"]
    return argv


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(argv=argvs())
def test_any_input_ends_in_a_documented_exit_and_one_line_errors(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code: object = main(argv)
    except SystemExit as exited:
        code = exited.code
    _, err = capsys.readouterr()
    assert code in DOCUMENTED, (argv, err)
    assert "Traceback" not in err, (argv, err)
    if code == 2:
        assert err.startswith("cors-probe: error: "), (argv, err)
        assert err.endswith("\n"), (argv, err)
        assert err.count("\n") == 1, (argv, err)
