"""A malformed policy file: one precise error (file, line, what is wrong), checked in process by
`load_policy`; in a real process it is one line on stderr, exit 2, and nothing is sent."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from cors_probe.errors import UsageError
from cors_probe.inputs.policyfile import load_policy
from tests.conftest import CliResult
from tests.servers import ScriptedServer

HEAD = """base_url = "${BASE}"
[origins]
app = "https://app.example.com"
evil = "https://evil.example"
"""
CHECK = """[[check]]
path = "/api"
origin = "app"
expect = "allowed"
"""

# (id, file text, the error after "cors-probe: error: ")
CORPUS: list[tuple[str, str, str]] = [
    (
        "not-toml",
        'base_url = "http://x\n',
        "cors-probe.toml:1: not valid TOML: Illegal character '\\n' (at line 1, column 21)",
    ),
    (
        "origin-not-a-string",
        HEAD + "timeout = 5\n" + CHECK,
        "cors-probe.toml:5: origin 'timeout' must be a string",
    ),
    (
        "unknown-top-key-before-tables",
        'timeout = 5\nbase_url = "${BASE}"\n[origins]\napp = "https://a.example"\n' + CHECK,
        "cors-probe.toml:1: unknown key 'timeout' in the policy file "
        "(known: base_url, check, defaults, origins)",
    ),
    (
        "unknown-check-key",
        HEAD + CHECK + 'expected = "allowed"\n',
        "cors-probe.toml:9: unknown key 'expected' in check #1 (known: allow_side_effects, "
        "body, browsers, credentials, expect, forbid, headers, method, methods, mode, name, "
        "origin, origins, path, paths, redirect, require, timeout)",
    ),
    (
        "unknown-defaults-key",
        HEAD + "[defaults]\nretries = 3\n" + CHECK,
        "cors-probe.toml:6: unknown key 'retries' in [defaults] "
        "(known: browsers, credentials, headers, method, mode, origin, redirect, timeout)",
    ),
    (
        "unknown-mode",
        HEAD + CHECK + 'mode = "nocors"\n',
        "cors-probe.toml:9: mode: unknown value 'nocors' (did you mean 'no-cors'?)",
    ),
    (
        "unknown-redirect-in-defaults",
        HEAD + '[defaults]\nredirect = "folow"\n' + CHECK,
        "cors-probe.toml:6: redirect: unknown value 'folow' (did you mean 'follow'?)",
    ),
    (
        "mode-not-a-string",
        HEAD + CHECK + "mode = 1\n",
        "cors-probe.toml:9: mode must be a string",
    ),
    (
        "unknown-redirect-far-off",
        HEAD + CHECK + 'redirect = "x"\n',
        "cors-probe.toml:9: redirect: unknown value 'x' (known: follow, error, manual)",
    ),
    (
        "unknown-table",
        HEAD + "[server]\nport = 1\n" + CHECK,
        "cors-probe.toml:5: unknown key 'server' in the policy file "
        "(known: base_url, check, defaults, origins)",
    ),
    ("no-checks", HEAD, "cors-probe.toml: no checks: add at least one [[check]] table"),
    (
        "check-not-an-array",
        HEAD + '[check]\npath = "/api"\n',
        "cors-probe.toml:5: check must be an array of tables, [[check]]",
    ),
    (
        "no-expectation",
        HEAD + '[[check]]\npath = "/api"\norigin = "app"\n',
        'cors-probe.toml:5: this check has no expectation: add expect = "allowed" or '
        'expect = "blocked"',
    ),
    (
        "bad-expectation",
        HEAD + '[[check]]\npath = "/api"\norigin = "app"\nexpect = "allow"\n',
        'cors-probe.toml:8: expect must be "allowed" or "blocked", not \'allow\'',
    ),
    (
        "origin-with-path",
        HEAD.replace('"https://evil.example"', '"https://evil.example/login"') + CHECK,
        "cors-probe.toml:4: bad origin 'https://evil.example/login': an origin is "
        "scheme://host[:port] with no path, query or fragment",
    ),
    (
        "origin-without-scheme",
        HEAD.replace('"https://app.example.com"', '"app.example.com"') + CHECK,
        "cors-probe.toml:3: bad origin 'app.example.com': the URL has no scheme "
        "(it must start with http:// or https://)",
    ),
    (
        "unknown-origin-name",
        HEAD + CHECK.replace('origin = "app"', 'origin = "ap"'),
        "cors-probe.toml:7: unknown origin 'ap' (known: app, evil)",
    ),
    (
        "origins-not-a-table",
        'base_url = "${BASE}"\norigins = ["https://a.example"]\n' + CHECK,
        "cors-probe.toml:2: origins must be a table of name = origin",
    ),
    (
        "bad-method",
        HEAD + CHECK + 'method = "GE T"\n',
        "cors-probe.toml:9: 'GE T' is not a valid HTTP method",
    ),
    (
        "methods-not-strings",
        HEAD + CHECK + "methods = [1, 2]\n",
        "cors-probe.toml:9: methods must be a list of strings",
    ),
    (
        "unknown-finding-code",
        HEAD + CHECK + 'forbid = ["wildcard-credentials"]\n',
        "cors-probe.toml:9: forbid: unknown finding code 'wildcard-credentials' "
        "(did you mean 'wildcard-with-credentials'?)",
    ),
    *(
        (
            f"cache-probe-code-{key}-{code}",
            HEAD + CHECK + f'{key} = ["{code}"]\n',
            f"cors-probe.toml:9: {key}: '{code}' comes from the cache probe of `cors-probe check`, "
            "whose extra requests `run` does not send: check that URL with `cors-probe check`",
        )
        for key, code in (
            ("forbid", "origin-pattern-unanchored"),
            ("require", "cached-without-cors"),
            ("forbid", "cors-cached-for-another-origin"),
        )
    ),
    *(
        (
            f"reflected-with-credentials-{key}-non-null-origin",
            HEAD + CHECK + f'{key} = ["origin-reflected-with-credentials"]\n',
            f"cors-probe.toml:9: {key}: 'origin-reflected-with-credentials' is found by `run` "
            'only for origin "null" (an origin the check sends is the page\'s own, which a '
            "server may well allow): for another origin only the cache probe of `cors-probe "
            'check` finds it; use origins = ["null"] here, or `cors-probe check` on that URL',
        )
        for key in ("forbid", "require")
    ),
    (
        "require-not-a-list",
        HEAD + CHECK + 'require = "vary-origin-missing"\n',
        "cors-probe.toml:9: require must be a list of finding codes",
    ),
    (
        "relative-path-without-base",
        '[origins]\napp = "https://app.example.com"\n' + CHECK,
        "cors-probe.toml:4: path '/api' is relative but the file has no base_url",
    ),
    *(
        (
            f"base-url-not-absolute-{i}",
            HEAD.replace('"${BASE}"', f'"{base}"') + CHECK,
            f"cors-probe.toml:1: bad base_url {base!r}: not an absolute http(s) URL",
        )
        for i, base in enumerate(("htp:/oops", "api.example.com/v1", "/v1"))
    ),
    (
        "base-url-not-http",
        HEAD.replace('"${BASE}"', '"ftp://files.example"') + CHECK,
        "cors-probe.toml:1: bad URL 'ftp://files.example': not an http(s) URL",
    ),
    (
        "env-not-set-in-a-header",
        HEAD + CHECK + 'headers = ["X-Api-Key: ${NOPE2}"]\n',
        "cors-probe.toml:9: ${NOPE2} is not set in the environment",
    ),
    (
        "env-not-set",
        HEAD.replace("${BASE}", "${API_BASE_URL}") + CHECK,
        "cors-probe.toml:1: ${API_BASE_URL} is not set in the environment",
    ),
    (
        "secret-in-the-file",
        HEAD + CHECK + 'headers = ["Authorization: Bearer eyJhbGciOi"]\n',
        "cors-probe.toml:9: the value of Authorization is a secret: take it from the "
        "environment, e.g. 'Authorization: ${AUTHORIZATION}'",
    ),
    (
        "header-without-colon",
        HEAD + CHECK + 'headers = ["X-Trace-Id"]\n',
        "cors-probe.toml:9: header 'X-Trace-Id' has no colon: write it as 'Name: value'",
    ),
    (
        "path-and-paths",
        HEAD + CHECK + 'paths = ["/a", "/b"]\n',
        "cors-probe.toml:5: give path or paths, not both",
    ),
    (
        "empty-paths",
        HEAD + '[[check]]\npaths = []\norigin = "app"\nexpect = "allowed"\n',
        "cors-probe.toml:6: paths is empty",
    ),
    (
        "no-path",
        HEAD + '[[check]]\norigin = "app"\nexpect = "allowed"\n',
        'cors-probe.toml:5: this check has no path: add path = "/..." or paths = [...]',
    ),
    (
        "no-origin",
        HEAD + '[[check]]\npath = "/api"\nexpect = "allowed"\n',
        "cors-probe.toml:5: this check has no origin and [defaults] names none",
    ),
    (
        "credentials-not-boolean",
        HEAD + CHECK + 'credentials = "yes"\n',
        "cors-probe.toml:9: credentials must be true or false",
    ),
    (
        "timeout-not-positive",
        HEAD + "[defaults]\ntimeout = 0\n" + CHECK,
        "cors-probe.toml:6: timeout must be a number of seconds more than 0 up to 3600, not 0.0",
    ),
    (
        "timeout-infinite",
        HEAD + "[defaults]\ntimeout = inf\n" + CHECK,
        "cors-probe.toml:6: timeout must be a number of seconds more than 0 up to 3600, not inf",
    ),
    (
        "timeout-nan",
        HEAD + CHECK + "timeout = nan\n",
        "cors-probe.toml:9: timeout must be a number of seconds more than 0 up to 3600, not nan",
    ),
    (
        "timeout-huge",
        HEAD + CHECK + "timeout = 1e300\n",
        "cors-probe.toml:9: timeout must be a number of seconds more than 0 up to 3600, not 1e+300",
    ),
    (
        "timeout-not-a-number",
        HEAD + CHECK + 'timeout = "5"\n',
        "cors-probe.toml:9: timeout must be a number of seconds",
    ),
    (
        "base-url-host-not-utf8",
        'base_url = "http://%C3%28:8080"\n' + HEAD.partition("\n")[2] + CHECK,
        "cors-probe.toml:1: bad URL 'http://%C3%28:8080': invalid host name '%C3%28': "
        "its percent-escapes are not UTF-8",
    ),
    (
        "base-url-unbalanced-bracket",
        'base_url = "http://[::1"\n' + HEAD.partition("\n")[2] + CHECK,
        "cors-probe.toml:1: bad URL 'http://[::1': invalid IPv6 address: a '[' or ']' "
        "without its partner",
    ),
    (
        "path-unbalanced-bracket",
        HEAD + CHECK.replace('"/api"', '"http://[::1/x"'),
        "cors-probe.toml:6: bad URL 'http://[::1/x': invalid IPv6 address: a '[' or ']' "
        "without its partner",
    ),
    (
        "path-too-long",
        HEAD + CHECK.replace('"/api"', '"/' + "a" * 70_000 + '"'),
        "cors-probe.toml:6: the URL is 70,019 characters long; the limit is 65,536",
    ),
    (
        "origin-host-not-utf8",
        HEAD.replace("https://app.example.com", "http://%C3%28:8080") + CHECK,
        "cors-probe.toml:3: bad origin 'http://%C3%28:8080': invalid host name '%C3%28': "
        "its percent-escapes are not UTF-8",
    ),
    (
        "origin-unbalanced-bracket",
        HEAD.replace("https://app.example.com", "http://[::1") + CHECK,
        "cors-probe.toml:3: bad origin 'http://[::1': invalid IPv6 address: a '[' or ']' "
        "without its partner",
    ),
    (
        "browsers-unknown-close-to-one",
        HEAD + CHECK + 'browsers = ["chromium", "firefx"]\n',
        "cors-probe.toml:9: browsers: unknown engine 'firefx' (did you mean 'firefox'?)",
    ),
    (
        "browsers-report-key-not-the-engine",
        HEAD + CHECK + 'browsers = ["chrome"]\n',
        "cors-probe.toml:9: browsers: unknown engine 'chrome' (did you mean 'chromium'?)",
    ),
    (
        "browsers-webkit",
        HEAD + CHECK + 'browsers = ["webkit"]\n',
        "cors-probe.toml:9: browsers: unknown engine 'webkit' (did you mean 'safari'?)",
    ),
    (
        "browsers-unknown",
        HEAD + CHECK + 'browsers = "lynx"\n',
        "cors-probe.toml:9: browsers: unknown engine 'lynx' "
        "(known: chromium, firefox, safari, all)",
    ),
    (
        "browsers-unknown-in-defaults",
        HEAD + '[defaults]\nbrowsers = ["edge"]\n' + CHECK,
        "cors-probe.toml:6: browsers: unknown engine 'edge' (did you mean 'chromium'?)",
    ),
    (
        "browsers-empty",
        HEAD + CHECK + "browsers = []\n",
        "cors-probe.toml:9: browsers is empty",
    ),
    (
        "browsers-not-strings",
        HEAD + CHECK + "browsers = [1]\n",
        'cors-probe.toml:9: browsers must be a list of engines, e.g. ["chromium", "firefox"], '
        'or "all"',
    ),
]


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_a_malformed_file_is_one_precise_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    (tmp_path / "cors-probe.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the path as the user names it, relative
    with pytest.raises(UsageError, match=f"^{re.escape(message)}$"):
        load_policy(None, env={"BASE": "http://127.0.0.1:9"})


@pytest.mark.parametrize("name", ["not-toml", "unknown-origin-name"])
def test_a_malformed_file_is_one_line_and_exit_2_and_nothing_sent(
    run_cli: Callable[..., CliResult], server: ScriptedServer, tmp_path: Path, name: str
) -> None:
    """The contract in a real process: the message alone on stderr, exit 2, no request."""
    (text, message) = next(c[1:] for c in CORPUS if c[0] == name)
    (tmp_path / "cors-probe.toml").write_text(text, encoding="utf-8")
    result = run_cli("run", env={"BASE": server.base_url}, cwd=tmp_path)
    assert (result.returncode, result.stderr, result.stdout) == (
        2,
        f"cors-probe: error: {message}\n",
        "",
    )
    assert server.received == []


def test_the_corpus_is_large_enough_to_mean_something() -> None:
    assert len(CORPUS) >= 20
    assert len({c[0] for c in CORPUS}) == len(CORPUS)


# (id, [defaults] browsers, the check's browsers, the checks' (name, engine) pairs)
ENGINES: list[tuple[str, str | None, str | None, list[tuple[str, str]]]] = [
    ("default-is-chromium-with-the-name-unchanged", None, None, [("api", "chrome")]),
    ("chromium-alone-keeps-the-name", None, '["chromium"]', [("api", "chrome")]),
    ("another-engine-alone-is-named", None, '["firefox"]', [("api [firefox]", "firefox")]),
    (
        "several-in-report-order-deduplicated-any-case",
        None,
        '["Safari", "chromium", "safari"]',
        [("api [chromium]", "chrome"), ("api [safari]", "safari")],
    ),
    (
        "all-as-a-string",
        None,
        '"all"',
        [("api [chromium]", "chrome"), ("api [firefox]", "firefox"), ("api [safari]", "safari")],
    ),
    (
        "all-in-a-list",
        None,
        '["firefox", "all"]',
        [("api [chromium]", "chrome"), ("api [firefox]", "firefox"), ("api [safari]", "safari")],
    ),
    ("from-the-defaults", '["safari"]', None, [("api [safari]", "safari")]),
    ("the-check-overrides-the-defaults", '"all"', '["chromium"]', [("api", "chrome")]),
]


@pytest.mark.parametrize(
    ("defaults", "browsers", "expected"), [c[1:] for c in ENGINES], ids=[c[0] for c in ENGINES]
)
def test_each_check_runs_once_per_engine_named_after_it(
    tmp_path: Path, defaults: str | None, browsers: str | None, expected: list[tuple[str, str]]
) -> None:
    text = HEAD + (f"[defaults]\nbrowsers = {defaults}\n" if defaults else "")
    text += CHECK + 'name = "api"\nmethods = ["GET", "PUT"]\n'
    text += f"browsers = {browsers}\n" if browsers else ""
    (tmp_path / "cors-probe.toml").write_text(text, encoding="utf-8")
    policy = load_policy(str(tmp_path / "cors-probe.toml"), env={"BASE": "http://127.0.0.1:9"})
    # the engines of one request sit together, in report order, for each method in turn
    by_method = [(c.shape.method, c.name, c.browser) for c in policy.checks]
    assert by_method == [(m, n, b) for m in ("GET", "PUT") for n, b in expected]
    assert {c.line for c in policy.checks} == {text.splitlines().index("[[check]]") + 1}
    idents = [c.ident for c in policy.checks]
    assert len(set(idents)) == len(idents)
    if expected == [("api", "chrome")]:  # a baseline taken before engines existed still matches
        assert idents[0] == "api | app | GET http://127.0.0.1:9/api"


CM = ("cors", "manual")
MODES = [
    ("the-defaults", None, None, ("cors", "follow")),
    ("from-the-defaults", 'mode = "no-cors"', None, ("no-cors", "follow")),
    ("the-check-overrides", 'mode = "no-cors"', 'mode = "cors"\nredirect = "manual"', CM),
]  # fmt: skip


@pytest.mark.parametrize(
    ("defaults", "check", "expected"), [c[1:] for c in MODES], ids=[c[0] for c in MODES]
)
def test_mode_and_redirect_are_read_like_fetch_spells_them(
    tmp_path: Path, defaults: str | None, check: str | None, expected: tuple[str, str]
) -> None:
    text = HEAD + (f"[defaults]\n{defaults}\n" if defaults else "") + CHECK + (check or "")
    (tmp_path / "cors-probe.toml").write_text(text + "\n", encoding="utf-8")
    policy = load_policy(str(tmp_path / "cors-probe.toml"), env={"BASE": "http://127.0.0.1:9"})
    assert [(c.shape.mode.value, c.shape.redirect.value) for c in policy.checks] == [expected]


def test_origin_reflected_with_credentials_may_be_forbidden_for_the_null_origin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`run` finds a reflected `null` itself (the check sends Origin: null), so a policy may
    forbid it there; for a page's own origin only `check`'s cache probe can (refused above)."""
    monkeypatch.setenv("BASE", "https://api.example.com")
    path = tmp_path / "cors-probe.toml"
    path.write_text(
        HEAD
        + CHECK.replace('origin = "app"', 'origins = ["null"]')
        + 'forbid = ["origin-reflected-with-credentials"]\n'
    )
    (spec,) = load_policy(str(path)).checks
    assert spec.forbid == ("origin-reflected-with-credentials",)
    assert spec.shape.origin.opaque
