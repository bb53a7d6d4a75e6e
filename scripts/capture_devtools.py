"""Regenerate tests/data/captures/devtools/: real engines' requests as DevTools copies them.

    python -m scripts.capture_devtools [--out DIR]

Starts two loopback servers (an API that answers CORS permissively and records every request as
received, and a page on another port, i.e. another origin), has real headless Chromium (over the
DevTools protocol) and real headless Firefox ESR (over Marionette) run each fetch() of `CASES`
from the page, and hands what each engine really sent to the engines' own "Copy as ..."
generators, loaded from the installed browsers by scripts/devtools_generators.js:

- Chromium: what DevTools itself copies, i.e. the headers of `Network.requestWillBeSentExtraInfo`,
  its included cookies, the body of `Network.getRequestPostData` and the response's security
  state; devtools-frontend front_end/panels/network/NetworkLogView.ts (generateCurlCommand for
  'unix' and 'win', generatePowerShellCommand, generateFetchCall for the browser and Node.js).
- Firefox: the request as the API server received it (name case and order as sent) and the
  response headers it sent; devtools/client/shared/curl.js (Curl.generateCommand for Linux and
  WINNT) and devtools/client/netmonitor/src/widgets/RequestListContextMenu.js
  (generateFetchString), read from firefox-esr's browser/omni.ja.

The manifest's format is the one the --from-curl/--from-fetch equivalence tests read: `api` and
`page` are the servers' origins at capture time, `flags` the equivalent `cors-probe check` flags
with `{page}` for the page's origin. Needs chromium, firefox-esr and node on PATH.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.browser import cdp, firefox
from tests.servers import Received, Reply, ScriptedServer

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "captures" / "devtools"
GENERATORS = Path(__file__).resolve().with_name("devtools_generators.js")
COOKIE = ("sid", "s3cr3t")
"""The cookie the API sets (on /api/cookie) before the credentialed cases."""

HOSTILE = 'He said "hi" \\ it\'s 100% ^up^ !bang! %PATH% naïve ✓\nline 2\r\nend'
"""A body every shell quotes differently: quotes, backslash, %, ^, !, non-ASCII, newlines."""


@dataclass(frozen=True)
class Case:
    """One fetch() the page's script makes: `fetch(api + path, {method, headers, body,
    credentials, mode})`."""

    name: str
    path: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    credentials: str = "same-origin"
    mode: str = "cors"

    def init(self) -> dict[str, Any]:
        init: dict[str, Any] = {
            "method": self.method,
            "headers": [list(h) for h in self.headers],
            "credentials": self.credentials,
            "mode": self.mode,
        }
        if self.body is not None:
            init["body"] = self.body
        return init


JSON = ("Content-Type", "application/json")
CASES: tuple[Case, ...] = (
    Case("simple-get", "/api/items?page=1"),
    Case("get-custom-header", "/api/items", headers=(("X-Client", "cors-probe/1"),)),
    Case("put-json", "/api/items/1?x=1", "PUT", (JSON, ("X-Token", "abc")), '{"a": 1}'),
    Case("patch-json", "/api/items/2", "PATCH", (JSON,), '{"name": "new name", "tags": []}'),
    Case("delete", "/api/items/3", "DELETE", (("X-Token", "abc"),)),
    Case(
        "post-form",
        "/api/login",
        "POST",
        (("Content-Type", "application/x-www-form-urlencoded"),),
        "user=ann&pass=p%40ss+word&next=%2Fhome",
    ),
    Case("post-text", "/api/notes", "POST", body="plain text note"),
    Case("post-hostile-body", "/api/notes?kind=hostile", "POST", body=HOSTILE),
    Case("credentials-cookie", "/api/me", credentials="include"),
    Case(
        "authorization",
        "/api/private",
        headers=(("Authorization", "Bearer tok-123.secret"),),
        mode="cors",
    ),
    Case("query-amp-percent", "/api/search?q=a%26b&tag=x%25y&sort=-date&empty="),
    Case(
        "post-json-credentials",
        "/api/orders",
        "POST",
        (JSON, ("X-CSRF-Token", "csrf-42")),
        '{"item": 7, "note": "it\'s \\"quoted\\""}',
        credentials="include",
    ),
    Case("no-cors-post", "/api/beacon", "POST", body="event=view", mode="no-cors"),
)

CHROME_SOURCE = "devtools-frontend front_end/panels/network/NetworkLogView.ts"
FIREFOX_CURL = "firefox devtools/client/shared/curl.js Curl.generateCommand"
FIREFOX_FETCH = (
    "firefox devtools/client/netmonitor/src/widgets/RequestListContextMenu.js generateFetchString"
)
SOURCES = {
    ("chrome", "curl-bash"): f"{CHROME_SOURCE} generateCurlCommand (platform 'unix')",
    ("chrome", "curl-cmd"): f"{CHROME_SOURCE} generateCurlCommand (platform 'win')",
    ("chrome", "powershell"): f"{CHROME_SOURCE} generatePowerShellCommand",
    ("chrome", "fetch"): f"{CHROME_SOURCE} generateFetchCall (FetchStyle.Browser)",
    ("chrome", "node-fetch"): f"{CHROME_SOURCE} generateFetchCall (FetchStyle.NodeJs)",
    ("firefox", "curl-bash"): f"{FIREFOX_CURL} (platform 'Linux')",
    ("firefox", "curl-cmd"): f"{FIREFOX_CURL} (platform 'WINNT')",
    ("firefox", "fetch"): FIREFOX_FETCH,
}
"""Each engine's variants, in the order the cases are written, and the generator behind each."""


@dataclass
class Captured:
    """What one engine's DevTools knows of one request: the input of its generators."""

    case: Case
    engine: str
    url: str
    method: str
    headers: list[tuple[str, str]]
    post_data: str | None
    cookies: list[dict[str, str]] = field(default_factory=list)
    security_state: str | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "url": self.url,
            "method": self.method,
            "headers": [{"name": n, "value": v} for n, v in self.headers],
            "postData": self.post_data,
            "cookies": self.cookies,
            "securityState": self.security_state,
            "responseHeaders": [{"name": n, "value": v} for n, v in self.response_headers],
        }


# --- the servers ---------------------------------------------------------------------------------


def api_reply(request: Received) -> Reply:
    """Permissive CORS with credentials for whoever asks; the body gzip-compressed when the client
    accepts it (so that Firefox's generator sees a Content-Encoding, as on most real servers)."""
    origin = request.header("Origin") or "*"
    headers = [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Credentials", "true"),
        ("Vary", "Origin"),
    ]
    if request.method == "OPTIONS":
        asked = request.header("Access-Control-Request-Headers")
        headers += [
            ("Access-Control-Allow-Methods", request.header("Access-Control-Request-Method") or ""),
            *([("Access-Control-Allow-Headers", asked)] if asked else []),
            ("Access-Control-Max-Age", "0"),
        ]
        return Reply(204, headers)
    if request.path.split("?")[0] == "/api/cookie":
        headers.append(("Set-Cookie", f"{COOKIE[0]}={COOKIE[1]}; Path=/; HttpOnly"))
    body = b'{"ok": true}'
    headers.append(("Content-Type", "application/json"))
    if "gzip" in (request.header("Accept-Encoding") or ""):
        body = gzip.compress(body, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
    return Reply(200, headers, body)


def _server(port: int) -> ScriptedServer:
    """A loopback server on `port` if it is free, else on an ephemeral one."""
    try:
        return ScriptedServer(port=port).start()
    except OSError:
        return ScriptedServer().start()


def previous_ports(folder: Path) -> tuple[int, int]:
    """The API's and the page's ports in `folder`'s manifest (0, 0 without one): reused when
    free, so that a regenerated folder differs from the committed one only where engines do."""
    try:
        document = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return urlsplit(document["api"]).port or 0, urlsplit(document["page"]).port or 0
    except (OSError, ValueError, KeyError, TypeError):
        return 0, 0


@contextlib.contextmanager
def servers(ports: tuple[int, int] = (0, 0)) -> Iterator[tuple[ScriptedServer, ScriptedServer]]:
    with _server(ports[0]) as api, _server(ports[1]) as page:
        api.route("/api/*", api_reply)
        page.route("/", Reply(200, [("Content-Type", "text/html")], b"<!doctype html><p>page"))
        yield api, page


def fetch_expression(url: str, case: Case) -> str:
    return f"fetch({json.dumps(url)}, {json.dumps(case.init())}).then(r => r.text())"


def set_cookie_expression(api: ScriptedServer) -> str:
    url = json.dumps(api.url("/api/cookie"))
    return f"fetch({url}, {{credentials: 'include'}}).then(r => r.status)"


# --- Chromium ------------------------------------------------------------------------------------


def _wait(find: Any, what: str, timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = find()
        if found is not None:
            return found
        time.sleep(0.02)
    raise RuntimeError(f"chromium: no {what}")


def capture_chrome(
    executable: str, api: ScriptedServer, page: ScriptedServer
) -> tuple[str, list[Captured]]:
    """Each case run in Chromium, read back from the Network events DevTools itself listens to
    (front_end/core/sdk/NetworkManager.ts: requestWillBeSent, requestWillBeSentExtraInfo,
    responseReceived; NetworkRequest.requestFormData via Network.getRequestPostData)."""
    captured = []
    with cdp.browser(executable) as browser:
        browser.command("Network.enable", session=True)
        browser.navigate(page.url("/"))
        browser.evaluate(set_cookie_expression(api))
        for case in CASES:
            url = api.url(case.path)
            mark = len(browser.network_events())
            browser.evaluate(fetch_expression(url, case))

            def events(kind: str, mark: int = mark) -> list[dict[str, Any]]:
                return [e["params"] for e in browser.network_events()[mark:] if e["method"] == kind]

            def sent(url: str = url, case: Case = case) -> dict[str, Any] | None:
                return next(
                    (
                        e
                        for e in events("Network.requestWillBeSent")
                        if e["request"]["url"] == url
                        and e["request"]["method"] == case.method
                        and e.get("type") == "Fetch"
                    ),
                    None,
                )

            will = _wait(sent, f"requestWillBeSent for {case.name}")
            ident = will["requestId"]
            extra = _wait(
                lambda ident=ident: next(
                    (
                        e
                        for e in events("Network.requestWillBeSentExtraInfo")
                        if e["requestId"] == ident
                    ),
                    None,
                ),
                f"requestWillBeSentExtraInfo for {case.name}",
            )
            response = _wait(
                lambda ident=ident: next(
                    (e for e in events("Network.responseReceived") if e["requestId"] == ident), None
                ),
                f"responseReceived for {case.name}",
            )
            post_data = will["request"].get("postData")
            if will["request"].get("hasPostData") and post_data is None:
                reply = browser.command("Network.getRequestPostData", session=True, requestId=ident)
                post_data = reply["postData"]
            headers = [
                (name, line)
                for name, value in extra["headers"].items()
                for line in value.split("\n")  # NetworkManager.headersMapToHeadersArray
            ]
            cookies = [
                {
                    "name": c["cookie"]["name"],
                    "value": c["cookie"]["value"],
                    "domain": c["cookie"]["domain"],
                }
                for c in extra.get("associatedCookies", [])
                if not c["blockedReasons"]
            ]
            captured.append(
                Captured(
                    case,
                    "chrome",
                    will["request"]["url"],
                    will["request"]["method"],
                    headers,
                    post_data,
                    cookies,
                    response["response"].get("securityState"),
                )
            )
        return browser.version, captured


# --- Firefox -------------------------------------------------------------------------------------


def capture_firefox(
    executable: str, api: ScriptedServer, page: ScriptedServer
) -> tuple[str, list[Captured]]:
    """Each case run in Firefox ESR, read back from what the API server received (what the
    netmonitor's NetworkUtils.fetchRequestHeadersAndCookies visits on the channel)."""
    captured = []
    with firefox.firefox(executable) as browser:
        browser.navigate(page.url("/"))
        browser.evaluate(set_cookie_expression(api))
        for case in CASES:
            url = api.url(case.path)
            api.clear()
            browser.evaluate(fetch_expression(url, case))
            received = [r for r in api.received if r.method == case.method and r.path == case.path]
            if len(received) != 1:
                raise RuntimeError(f"firefox: {len(received)} requests for {case.name}")
            request = received[0]
            reply = api_reply(request)
            captured.append(
                Captured(
                    case,
                    "firefox",
                    url,
                    request.method,
                    list(request.headers),
                    request.body.decode("utf-8") if request.body else None,
                    response_headers=list(reply.headers),
                )
            )
        return browser.version, captured


# --- the generators ------------------------------------------------------------------------------


def chromium_pak(executable: str) -> Path:
    """resources.pak beside the chromium binary (Debian: /usr/lib/chromium; /usr/bin/chromium is
    a shell wrapper)."""
    real = Path(executable).resolve()
    for folder in (real.parent, Path("/usr/lib/chromium"), Path("/usr/lib/chromium-browser")):
        if (folder / "resources.pak").is_file():
            return folder / "resources.pak"
    raise RuntimeError(f"no resources.pak near {executable}")


def firefox_sources(executable: str) -> dict[str, str]:
    """curl.js and RequestListContextMenu.js from the installed Firefox's browser/omni.ja."""
    real = Path(executable).resolve()
    names = {
        "curl": "chrome/devtools/modules/devtools/client/shared/curl.js",
        "menu": "chrome/devtools/modules/devtools/client/netmonitor/src/widgets/"
        "RequestListContextMenu.js",
    }
    for folder in (real.parent, Path("/usr/lib/firefox-esr"), Path("/usr/lib/firefox")):
        omni = folder / "browser" / "omni.ja"
        if omni.is_file():
            with zipfile.ZipFile(omni) as archive:
                return {key: archive.read(name).decode("utf-8") for key, name in names.items()}
    raise RuntimeError(f"no browser/omni.ja near {executable}")


def generate(
    captured: Sequence[Captured], pak: Path, sources: dict[str, str]
) -> list[dict[str, str]]:
    """The texts of every variant for each captured request, made by the engines' own code."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is needed to run the DevTools generators")
    payload = {
        "pak": str(pak),
        "firefox": sources,
        "requests": [c.as_json() for c in captured],
    }
    done = subprocess.run(
        [node, str(GENERATORS)],
        input=json.dumps(payload).encode(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode(errors="replace").strip())
    texts: list[dict[str, str]] = json.loads(done.stdout)
    return texts


# --- the manifest --------------------------------------------------------------------------------


def flags(captured: Captured) -> list[str]:
    """The `cors-probe check` flags equivalent to what the script asked (URL left out)."""
    case = captured.case
    out = ["--origin", "{page}"]
    if case.method != "GET":
        out += ["-X", case.method]
    for name, value in case.headers:
        out += ["-H", f"{name}: {value}"]
    if case.body is not None:
        out += ["--data", case.body]
    if case.credentials == "include":
        out.append("--credentials")
    cookie = captured.header("Cookie")
    if cookie is not None:
        out += ["--cookie", cookie]
    if case.mode != "cors":
        out += ["--mode", case.mode]
    return out


PRINTABLE = re.compile(r"[^ -~\r\n]")


def losses(captured: Captured, variant: str) -> list[str]:
    """What the generator of `variant` leaves out of what the script asked, by the rules of the
    generators' sources (so that equivalence tests can tell a lossy text from a parser's bug)."""
    case = captured.case
    engine = captured.engine
    lost = []
    if engine == "firefox" and variant.startswith("curl-") and "\r\n" in (case.body or ""):
        lost.append(
            "body: curl.js CurlUtils.writePostDataTextParams keeps only the text after the "
            "last CRLF"
        )
    texts = [captured.url, case.body or "", *(f"{n}: {v}" for n, v in captured.headers)]
    if (engine, variant) == ("chrome", "curl-cmd") and any(PRINTABLE.search(t) for t in texts):
        lost.append(
            "NetworkLogView.ts generateCurlCommand escapeStringWin turns every character outside "
            "printable ASCII (and not CR/LF) into a space"
        )
    if variant == "fetch" and captured.header("Cookie") is not None:
        lost.append("cookie: Copy as fetch leaves the Cookie header out (forbidden header name)")
    if (
        variant == "fetch"
        and case.credentials != "include"
        and captured.header("Authorization") is not None
    ):
        lost.append(
            "credentials: Copy as fetch says 'include' whenever an Authorization header was sent"
        )
    if variant in ("fetch", "node-fetch") and case.mode != "cors":
        lost.append("mode: Copy as fetch says 'cors' (or, for Node.js, nothing) whatever was used")
    return lost


def manifest(
    versions: dict[str, str],
    api: ScriptedServer,
    page: ScriptedServer,
    captured: Sequence[Captured],
    texts: Sequence[dict[str, str]],
) -> tuple[dict[str, Any], dict[str, str]]:
    """The manifest and the files it names (name -> text)."""
    cases = []
    files = {}
    for capture, variants in zip(captured, texts, strict=True):
        for (engine, variant), source in SOURCES.items():
            if engine != capture.engine:
                continue
            ident = f"{capture.case.name}.{engine}.{variant}"
            files[f"{ident}.txt"] = variants[variant]
            case = capture.case
            cases.append(
                {
                    "id": ident,
                    "engine": engine,
                    "variant": variant,
                    "file": f"{ident}.txt",
                    "source": source,
                    "request": {
                        "path": case.path,
                        "method": case.method,
                        "headers": [list(h) for h in case.headers],
                        "body": case.body,
                        "credentials": case.credentials,
                        "mode": case.mode,
                    },
                    "flags": flags(capture),
                }
            )
            lost = losses(capture, variant)
            if lost:
                cases[-1]["lossy"] = lost
    document = {
        "generated_by": "scripts/capture_devtools.py",
        "engines": versions,
        "api": api.base_url,
        "page": page.base_url,
        "cases": cases,
    }
    return document, files


def write(folder: Path, document: dict[str, Any], files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.txt"):
        stale.unlink()
    for name, text in files.items():
        (folder / name).write_bytes(text.encode("utf-8"))
    (folder / "manifest.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def capture(
    chromium: str, firefox_executable: str, ports: tuple[int, int] = (0, 0)
) -> tuple[dict[str, Any], dict[str, str]]:
    with servers(ports) as (api, page):
        chrome_version, chrome = capture_chrome(chromium, api, page)
        firefox_version, gecko = capture_firefox(firefox_executable, api, page)
        captured = chrome + gecko
        texts = generate(captured, chromium_pak(chromium), firefox_sources(firefox_executable))
        versions = {"chrome": chrome_version, "firefox": firefox_version}
        return manifest(versions, api, page, captured, texts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="the folder to (re)write")
    parser.add_argument("--chromium", default=cdp.find_chromium())
    parser.add_argument("--firefox", default=firefox.find_firefox())
    args = parser.parse_args(argv)
    if not args.chromium or not args.firefox:
        print("capture_devtools: chromium and firefox-esr are both needed", file=sys.stderr)
        return 2
    document, files = capture(args.chromium, args.firefox, previous_ports(args.out))
    write(args.out, document, files)
    print(f"{len(document['cases'])} cases written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
