"""The gates before any request, against live engines: Mixed Content and Local Network Access.

Each case runs one fetch() in an engine on a page of its own kind, then `cors-probe check` for
the same fetch as a user would run it, and compares: the verdict, every console line the engine
printed (character for character) with cors-probe's lines for its first error finding, and what
reached the servers (nothing, for a gate that blocks). The scenarios of scenarios.py all run on
one plain http://127.0.0.1 page; these need other pages, so they have their own table and engines:

- Local Network Access (Chromium only): a dedicated Chromium started with
  `--ip-address-space-overrides=127.0.0.1:PAGE=public`, so that the page server counts as public
  while the API stays loopback; `http://page.test:PAGE` (`--host-resolver-rules`) is the same
  server as a page that is not a secure context, `http://127.0.0.1:PAGE` as one that is (loopback
  hosts are potentially trustworthy, whatever their address space). The user's answer is set
  with the DevTools `Browser.setPermission` (`loopback-network`, the permission Chromium 156 asks
  for a loopback target; `local-network` is another one, for local targets). cors-probe is told
  the page's space with `--page-address-space public` and the answer with `--local-network`.
- Mixed Content (Chromium, Firefox, WebKit): an https page (a self-signed certificate made at test
  time; the engines ignore certificate errors, cors-probe runs with `--insecure`) fetching
  `http://api.test:API` (a name that is not potentially trustworthy; no engine looks it up
  before blocking) directly or through a same-origin redirect, and loopback URLs.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.browser import cdp, firefox, webkit
from tests.browser.engines import Chromium, Engine, require
from tests.browser.referee import check_arguments, engine_fetch, run_check
from tests.conftest import _clean_env, cli_command
from tests.servers import Received, Reply, ScriptedServer
from tests.tls import server_context

pytestmark = pytest.mark.browser

PAGE_HTML = b"<!doctype html><meta charset=utf-8><title>cors-probe gates</title><p>gates</p>"
ALLOW_ALL = (("Access-Control-Allow-Origin", "*"),)
ALLOW_PUT = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "PUT"),
    ("Access-Control-Allow-Headers", "x-gate"),
)


@dataclass(frozen=True)
class Gate:
    """One fetch() on one kind of page, and what cors-probe is told about it."""

    name: str
    page: str
    """`insecure-public` (http://page.test:PAGE), `secure-public` (http://127.0.0.1:PAGE), both
    public to the engine; `https` (https://127.0.0.1:TLS, loopback, for mixed content)."""
    url: str
    """{api}: http://127.0.0.1:API, {localhost}: http://localhost:API, {named}:
    http://api.test:API, {redirect}: https://127.0.0.1:TLS/r/NAME, a same-origin 302 to
    {named}; each with /s/NAME appended."""
    code: str
    """The finding cors-probe must report: the gate this case exercises."""
    engines: tuple[str, ...]
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    answer: tuple[tuple[str, str], ...] = ALLOW_ALL
    permission: str | None = None
    """The user's Local Network Access answer (granted, denied); None: not set."""
    probe: tuple[str, ...] = ()
    """More cors-probe options (`--page-address-space public` and the like)."""
    family: str = field(default="lna")
    firefox_code: str | None = None
    """The finding cors-probe must report for Firefox, when it differs from `code`."""


PUBLIC = ("--page-address-space", "public")
GATES = [
    # --- Local Network Access: the page is public, the API loopback (Chromium) -------------
    Gate(
        "lna-insecure-page-get",
        "insecure-public",
        "{api}",
        "local-network-insecure-page",
        ("chrome",),
        probe=PUBLIC,
    ),
    Gate(
        "lna-insecure-page-no-preflight-either",
        "insecure-public",
        "{api}",
        "local-network-insecure-page",
        ("chrome",),
        method="PUT",
        headers=(("X-Gate", "1"),),
        answer=ALLOW_PUT,
        probe=PUBLIC,
    ),
    Gate(
        "lna-insecure-page-localhost",
        "insecure-public",
        "{localhost}",
        "local-network-insecure-page",
        ("chrome",),
        probe=PUBLIC,
    ),
    Gate(
        "lna-denied-get",
        "secure-public",
        "{api}",
        "local-network-denied",
        ("chrome", "firefox"),
        permission="denied",
        probe=(*PUBLIC, "--local-network", "denied"),
    ),
    Gate(
        "lna-denied-preflighted",
        "secure-public",
        "{api}",
        "local-network-denied",
        ("chrome", "firefox"),
        method="PUT",
        headers=(("X-Gate", "1"),),
        answer=ALLOW_PUT,
        permission="denied",
        probe=(*PUBLIC, "--local-network", "denied"),
    ),
    Gate(
        "lna-granted-get",
        "secure-public",
        "{api}",
        "local-network-access",
        ("chrome", "firefox"),
        permission="granted",
        probe=(*PUBLIC, "--local-network", "granted"),
    ),
    Gate(
        "lna-granted-preflighted",
        "secure-public",
        "{api}",
        "local-network-access",
        ("chrome", "firefox"),
        method="PUT",
        headers=(("X-Gate", "1"),),
        answer=ALLOW_PUT,
        permission="granted",
        probe=(*PUBLIC, "--local-network", "granted"),
    ),
    Gate(
        "lna-granted-then-cors-blocks",
        "secure-public",
        "{api}",
        "acao-missing",
        ("chrome", "firefox"),
        answer=(),
        permission="granted",
        probe=(*PUBLIC, "--local-network", "granted"),
    ),
    Gate(
        "lna-granted-then-preflight-blocks",
        "secure-public",
        "{api}",
        "acao-missing",
        ("chrome", "firefox"),
        method="PUT",
        headers=(("X-Gate", "1"),),
        answer=(),
        permission="granted",
        probe=(*PUBLIC, "--local-network", "granted"),
    ),
    Gate(
        "lna-insecure-page-denied",
        "insecure-public",
        "{api}",
        "local-network-insecure-page",
        ("chrome", "firefox"),
        permission="denied",
        probe=(*PUBLIC, "--local-network", "denied"),
        firefox_code="local-network-denied",
    ),
    Gate(
        "lna-insecure-page-denied-preflighted",
        "insecure-public",
        "{api}",
        "local-network-insecure-page",
        ("chrome", "firefox"),
        method="PUT",
        headers=(("X-Gate", "1"),),
        answer=ALLOW_PUT,
        permission="denied",
        probe=(*PUBLIC, "--local-network", "denied"),
        firefox_code="local-network-denied",
    ),
    Gate(
        "lna-insecure-page-granted",
        "insecure-public",
        "{api}",
        "local-network-insecure-page",
        ("chrome", "firefox"),
        permission="granted",
        probe=(*PUBLIC, "--local-network", "granted"),
        firefox_code="local-network-access",
    ),
    # --- Mixed Content: an https page -------------------------------------------------------
    Gate(
        "mixed-named-http",
        "https",
        "{named}",
        "mixed-content",
        ("chrome", "firefox", "safari"),
        family="mixed",
    ),
    Gate(
        "mixed-named-http-preflighted",
        "https",
        "{named}",
        "mixed-content",
        ("chrome", "firefox", "safari"),
        method="PUT",
        headers=(("X-Gate", "1"),),
        answer=ALLOW_PUT,
        family="mixed",
    ),
    Gate(
        "mixed-redirect-to-http",
        "https",
        "{redirect}",
        "mixed-content",
        ("chrome", "firefox", "safari"),
        family="mixed",
    ),
    Gate(
        "mixed-loopback-ip",
        "https",
        "{api}",
        "mixed-content",
        ("chrome", "firefox", "safari"),
        family="mixed",
    ),
    Gate(
        "mixed-localhost",
        "https",
        "{localhost}",
        "mixed-content",
        ("chrome", "firefox", "safari"),
        family="mixed",
    ),
]
"""Mixed loopback cases: `code` is what WebKit reports; Chromium and Firefox allow them."""


@dataclass
class Site:
    """The servers of one engine's run: a plain page, an https page, the API."""

    page: ScriptedServer
    tls: ScriptedServer
    api: ScriptedServer

    def page_url(self, kind: str) -> str:
        if kind == "insecure-public":
            return f"http://page.test:{self.page.port}"
        if kind == "secure-public":
            return f"http://127.0.0.1:{self.page.port}"
        return f"https://127.0.0.1:{self.tls.port}"

    def url(self, gate: Gate) -> str:
        path = f"/s/{gate.name}"
        return gate.url.format(
            api=f"http://127.0.0.1:{self.api.port}{path}",
            localhost=f"http://localhost:{self.api.port}{path}",
            named=f"http://api.test:{self.api.port}{path}",
            redirect=f"https://127.0.0.1:{self.tls.port}/r/{gate.name}",
        )

    def received(self, gate: Gate) -> tuple[str, ...]:
        """What reached the API and the redirecting page for `gate`, as `METHOD path` lines."""
        mine = (f"/s/{gate.name}", f"/r/{gate.name}")
        seen: list[Received] = [*self.api.received, *self.tls.received]
        return tuple(f"{r.method} {r.path}" for r in seen if r.path in mine)

    def lna_headers(self, gate: Gate) -> tuple[str, ...]:
        """Local Network Access request headers (the old Private Network Access preflight's, or
        their successor's) on what reached the API for `gate`: Chromium 156 sends none."""
        return tuple(
            name.lower()
            for r in self.api.received
            if r.path == f"/s/{gate.name}"
            for name, _ in r.headers
            if name.lower().startswith(
                ("access-control-request-private", "access-control-request-local")
            )
        )

    def clear(self) -> None:
        for server in (self.page, self.tls, self.api):
            server.clear()


@contextlib.contextmanager
def site() -> Iterator[Site]:
    page = ScriptedServer().start()
    tls = ScriptedServer(tls=server_context()).start()
    api = ScriptedServer().start()
    try:
        for server in (page, tls):
            server.route("/", get=Reply(200, [("Content-Type", "text/html")], body=PAGE_HTML))
            server.route("/favicon.ico", get=Reply(204))
        for gate in GATES:
            reply = Reply(200, list(gate.answer), body=b'{"ok": true}')
            api.route(
                f"/s/{gate.name}", get=reply, put=reply, options=Reply(204, list(gate.answer))
            )
            location = f"http://api.test:{api.port}/s/{gate.name}"
            tls.route(f"/r/{gate.name}", Reply(302, [("Location", location), *gate.answer]))
        yield Site(page, tls, api)
    finally:
        for server in (page, tls, api):
            server.close()


@contextlib.contextmanager
def engine_for(name: str, where: Site) -> Iterator[Engine]:
    """A fresh engine for the gates: Chromium with the page server public, https errors ignored
    and the test names mapped to loopback; Firefox and WebKit accepting the certificate."""
    executable = require(name)
    if name == "chrome":
        flags = (
            f"--ip-address-space-overrides=127.0.0.1:{where.page.port}=public",
            "--host-resolver-rules=MAP page.test 127.0.0.1, MAP api.test 127.0.0.1",
            "--ignore-certificate-errors",
        )
        with cdp.browser(executable, extra_flags=flags) as browser:
            yield Chromium(browser)
    elif name == "firefox":
        preferences: dict[str, bool | int | str] = {
            "network.dns.localDomains": "api.test,page.test",
            "network.lna.address_space.public.override": f"127.0.0.1:{where.page.port}",
        }
        with firefox.firefox(executable, preferences, accept_insecure_certs=True) as instance:
            yield instance
    else:
        with webkit.webkit(executable, ignore_tls_errors=True) as instance:
            yield instance


@dataclass(frozen=True)
class Measured:
    gate: Gate
    resolved: bool
    console: tuple[str, ...]
    received: tuple[str, ...]
    probe: dict[str, Any] | None
    probe_console: tuple[str, ...] | None
    probe_received: tuple[str, ...]
    stderr: str
    lna_headers: tuple[str, ...] = ()


FIREFOX_PERMISSION = """
const [origin, setting] = arguments;
const principal = Services.scriptSecurityManager.createContentPrincipalFromOrigin(origin);
for (const type of ["loopback-network", "local-network"]) {
  Services.perms.removeFromPrincipal(principal, type);
  if (setting) Services.perms.addFromPrincipal(principal, type,
    setting === "granted" ? Services.perms.ALLOW_ACTION : Services.perms.DENY_ACTION);
}
"""


def _set_permission(engine: Engine, origin: str, setting: str | None, secure: bool) -> None:
    """The user's Local Network Access answer for pages of `origin` (None: not answered).
    Chromium refuses to set it for a page that is not a secure context ("Permission can't be
    granted in current context."): it never asks such a page, it blocks it."""
    if isinstance(engine, Chromium):
        engine.browser.command("Browser.resetPermissions")
        if setting is not None and secure:
            engine.browser.command(
                "Browser.setPermission",
                permission={"name": "loopback-network"},
                setting=setting,
                origin=origin,
            )
    elif isinstance(engine, firefox.Firefox):
        engine.chrome_script(FIREFOX_PERMISSION, origin, setting)


def predicted(
    document: dict[str, Any] | None, console: tuple[str, ...], engine: str
) -> tuple[str, ...]:
    """cors-probe's lines for the fetch: those of its first error finding, and before them the
    line of a granted Local Network Access (Firefox logs one for every such request, whatever
    happens next)."""
    granted = [
        line
        for f in (document or {}).get("findings", [])
        if f["code"] == "local-network-access" and f["severity"] == "info"
        for line in f["console"][engine]
    ]
    return without_stacks((*granted, *console), engine)


def without_stacks(lines: tuple[str, ...], engine: str) -> tuple[str, ...]:
    """Firefox appends the calling script's stack to its Local Network Access line (the test
    driver's here, the page's own in real life: cors-probe cannot know it), and logs that line
    and its CORS line from two processes, in either order (measured): cut the stack, sort."""
    if engine != "firefox":
        return lines
    return tuple(sorted(line.split("\n", 1)[0] for line in lines))


def measure(name: str) -> dict[str, Measured]:
    """Every gate of engine `name`: in the engine, then through cors-probe."""
    chosen = [g for g in GATES if name in g.engines]
    results: dict[str, Measured] = {}
    with site() as where, engine_for(name, where) as engine:
        current = None
        for gate in chosen:
            origin = where.page_url(gate.page)
            if origin != current:
                engine.navigate(origin + "/")
                current = origin
            if gate.family == "lna":
                secure = gate.page != "insecure-public"
                _set_permission(engine, origin, gate.permission, secure)
            where.clear()
            outcome, lines = engine_fetch(
                engine, where.url(gate), gate.method, gate.headers, False, None
            )
            time.sleep(0.2)  # a request the engine sent late would still be counted
            in_engine, lna_headers = where.received(gate), where.lna_headers(gate)
            where.clear()
            arguments = check_arguments(
                where.url(gate), origin, gate.method, gate.headers, False, None, name
            )
            probed = run_check(
                cli_command(), _clean_env(), [*arguments, *gate.probe, "--insecure"], name
            )
            results[gate.name] = Measured(
                gate,
                bool(outcome["resolved"]),
                without_stacks(tuple(lines), name),
                in_engine,
                probed.document,
                None
                if probed.console is None
                else predicted(probed.document, probed.console, name),
                where.received(gate),
                probed.stderr,
                lna_headers,
            )
    return results


_MEASURED: dict[str, dict[str, Measured]] = {}


def measured(name: str) -> dict[str, Measured]:
    if name not in _MEASURED:
        _MEASURED[name] = measure(name)
    return _MEASURED[name]


CASES = [(engine, gate.name) for gate in GATES for engine in gate.engines]


@pytest.mark.parametrize(("engine", "name"), CASES, ids=[f"{e}-{n}" for e, n in CASES])
def test_cors_probe_agrees_with_the_engine_at_the_gate(engine: str, name: str) -> None:
    m = measured(engine)[name]
    assert m.probe is not None, m.stderr
    context = f"engine console: {m.console}\nengine sent: {m.received}\nprobe: {m.probe_console}"
    engine_verdict = "allowed" if m.resolved else "blocked"
    assert m.probe["verdict"] == engine_verdict, context
    if not m.resolved:
        assert m.probe_console == m.console, context
    assert m.probe_received == m.received, context
    assert m.lna_headers == (), context  # cors-probe sends none either
    codes = [f["code"] for f in m.probe["findings"]]
    if engine_verdict == "blocked":
        expected = (
            m.gate.firefox_code if engine == "firefox" and m.gate.firefox_code else m.gate.code
        )
        assert expected in codes, context


def test_the_gates_cover_each_kind() -> None:
    codes = {g.code for g in GATES}
    assert {
        "local-network-insecure-page",
        "local-network-denied",
        "local-network-access",
        "mixed-content",
    } <= codes
    assert any(g.url == "{redirect}" for g in GATES)
    assert any(g.method != "GET" and g.family == "lna" for g in GATES)
