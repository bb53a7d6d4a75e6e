"""The embedded lab: a loopback HTTP server whose endpoints answer like real, misconfigured APIs.

Standard library only, and nothing from `cors_probe.policy`: the lab is what the engine is judged
against, so its answers are written out by hand here, as a server author would write them.
"""

from __future__ import annotations

import functools
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import Any

Answer = tuple[int, list[tuple[str, str]]]
Responder = Callable[["LabRequest"], Answer]

ALLOWED_ORIGINS = ("http://localhost:3000", "https://admin.example")


@functools.cache
def simulator_page() -> bytes:
    return files("cors_probe.lab").joinpath("simulator.html").read_bytes()


@dataclass(frozen=True)
class LabRequest:
    method: str
    path: str
    headers: dict[str, str]
    lab: LabServer

    @property
    def origin(self) -> str | None:
        return self.headers.get("origin")


def _echo_if_allowed(request: LabRequest) -> list[tuple[str, str]]:
    origin = request.origin
    return [("Access-Control-Allow-Origin", origin)] if origin in ALLOWED_ORIGINS else []


def good(request: LabRequest) -> Answer:
    """A correct configuration: allow-list echoed with Vary, methods and headers listed, cached."""
    headers = [*_echo_if_allowed(request), ("Vary", "Origin")]
    if request.method == "OPTIONS":
        headers += [
            ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"),
            ("Access-Control-Allow-Headers", "Content-Type, Authorization"),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Max-Age", "7200"),
        ]
        return 204, headers
    return 200, [*headers, ("Access-Control-Allow-Credentials", "true")]


def no_cors(request: LabRequest) -> Answer:
    """An API that never heard of CORS."""
    return (204 if request.method == "OPTIONS" else 200), []


def wildcard_credentials(request: LabRequest) -> Answer:
    """`*` together with credentials: allowed for anonymous calls, refused with cookies."""
    return 200, [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")]


def joined_list(request: LabRequest) -> Answer:
    """The allow-list pasted into one header instead of echoing the matching origin."""
    return 200, [("Access-Control-Allow-Origin", ", ".join(ALLOWED_ORIGINS))]


def no_put(request: LabRequest) -> Answer:
    """Allow-Methods forgot PUT."""
    headers = [*_echo_if_allowed(request), ("Vary", "Origin")]
    if request.method == "OPTIONS":
        headers += [
            ("Access-Control-Allow-Methods", "GET, POST"),
            ("Access-Control-Max-Age", "600"),
        ]
        return 204, headers
    return 200, headers


def no_content_type(request: LabRequest) -> Answer:
    """Allow-Headers without content-type, so every JSON POST is refused."""
    headers = [*_echo_if_allowed(request), ("Vary", "Origin")]
    if request.method == "OPTIONS":
        headers += [
            ("Access-Control-Allow-Methods", "GET, POST"),
            ("Access-Control-Allow-Headers", "X-Requested-With"),
            ("Access-Control-Max-Age", "600"),
        ]
        return 204, headers
    return 200, headers


def options_405(request: LabRequest) -> Answer:
    """A router that does not route OPTIONS to the CORS middleware."""
    if request.method == "OPTIONS":
        return 405, [("Allow", "GET, POST")]
    return 200, [*_echo_if_allowed(request), ("Vary", "Origin")]


def preflight_redirect(request: LabRequest) -> Answer:
    """A trailing-slash redirect that also catches the OPTIONS request."""
    return 301, [("Location", request.path + "/")]


def no_vary(request: LabRequest) -> Answer:
    """Echoes the origin but forgets `Vary: Origin`: fine today, a cache poisoner tomorrow."""
    return 200, _echo_if_allowed(request)


def error_500(request: LabRequest) -> Answer:
    """The success path has CORS headers; the error path (a crash) does not."""
    headers = [*_echo_if_allowed(request), ("Vary", "Origin")]
    if request.method == "OPTIONS":
        headers += [
            ("Access-Control-Allow-Methods", "GET, POST"),
            ("Access-Control-Allow-Headers", "Content-Type"),
            ("Access-Control-Max-Age", "600"),
        ]
        return 204, headers
    return 500, []


def redirect_cross(request: LabRequest) -> Answer:
    """The API moved to another origin; the new one allows the page's origin, which is no longer
    what the browser sends after a cross-origin redirect (it sends `null`)."""
    target = f"http://localhost:{request.lab.port}/moved"
    return 302, [*_echo_if_allowed(request), ("Vary", "Origin"), ("Location", target)]


def client_hint(request: LabRequest) -> Answer:
    """Readable by anyone (`*`) on GET, but OPTIONS is not routed (405, no CORS headers). A page
    that sets a client hint (`DPR: 2`) is fine in Chromium, which safelists client hints and sends
    no preflight, and blocked in Firefox and Safari, which preflight it."""
    if request.method == "OPTIONS":
        return 405, [("Allow", "GET, HEAD")]
    return 200, [("Access-Control-Allow-Origin", "*")]


def moved(request: LabRequest) -> Answer:
    return 200, [("Access-Control-Allow-Origin", ALLOWED_ORIGINS[0]), ("Vary", "Origin")]


ROUTES: dict[str, Responder] = {
    "/good": good,
    "/no-cors": no_cors,
    "/wildcard-credentials": wildcard_credentials,
    "/joined-list": joined_list,
    "/no-put": no_put,
    "/no-content-type": no_content_type,
    "/options-405": options_405,
    "/preflight-redirect": preflight_redirect,
    "/no-vary": no_vary,
    "/error-500": error_500,
    "/redirect-cross": redirect_cross,
    "/client-hint": client_hint,
    "/moved": moved,
}


def _configured(config: dict[str, Any], key: str) -> Answer:
    part = config.get(key)
    if not isinstance(part, dict):
        return 500, []
    status = part.get("status", 200)
    headers = part.get("headers", [])
    if not isinstance(status, int) or not 200 <= status <= 599:
        status = 500
    pairs = [
        (str(pair[0]), str(pair[1]))
        for pair in headers
        if isinstance(pair, list) and len(pair) == 2 and str(pair[0]).strip()
    ]
    return status, pairs


MAX_REQUEST_BODY = 1024 * 1024
"""The largest request body the lab reads (the simulator page's configurations are tiny)."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the lab is a backdrop, not a log source."""

    def _send(
        self,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        content_type: str | None,
    ) -> None:
        if self.command == "HEAD" or status in (204, 304):
            body = b""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status not in (204, 304):
            if content_type is not None:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _payload(self) -> bytes | None:
        """The request's body, or None (after answering 400 and closing) for a Content-Length
        that is not one decimal number (RFC 9110 §8.6) or is over MAX_REQUEST_BODY."""
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return b""
        text = values[0].strip()
        problem = None
        if any(v.strip() != text for v in values) or not (text.isascii() and text.isdigit()):
            problem = b"malformed Content-Length"
        elif int(text) > MAX_REQUEST_BODY:
            problem = b"request body too large"
        if problem is not None:
            self.close_connection = True
            self._send(400, [("Connection", "close")], problem, "text/plain")
            return None
        length = int(text)
        return self.rfile.read(length) if length else b""

    def _answer(self) -> None:
        payload = self._payload()
        if payload is None:
            return
        path = self.path.partition("?")[0]
        lab = self.server.lab
        lab.seen.append((self.command, path))
        if path in ("/", "/simulator") and self.command in ("GET", "HEAD"):
            self._send(200, [], simulator_page(), "text/html; charset=utf-8")
            return
        if path.startswith("/sim/"):
            self._simulated(path.removeprefix("/sim/"))
            return
        if path == "/lab/config" and self.command == "POST":
            try:
                config = json.loads(payload)
            except ValueError:
                config = None
            if not isinstance(config, dict):
                self._send(400, [], b"the configuration must be a JSON object", "text/plain")
                return
            with lab.lock:
                ident = f"{len(lab.sim_configs) + 1}-{secrets.token_hex(4)}"
                lab.sim_configs[ident] = config
            body = json.dumps({"id": ident}).encode()
            self._send(200, [("Cache-Control", "no-store")], body, "application/json")
            return
        if path.startswith("/lab/seen/") and self.command == "GET":
            seen = lab.sim_seen.get(path.removeprefix("/lab/seen/"), {})
            body = json.dumps({"preflight": False, "actual": False, **seen}).encode()
            self._send(200, [("Cache-Control", "no-store")], body, "application/json")
            return
        if path == "/lab/predict" and self.command == "POST" and lab.predict is not None:
            try:
                agent = self.headers.get("User-Agent", "")
                body = json.dumps(lab.predict(json.loads(payload), agent)).encode()
            except ValueError as error:
                self._send(400, [], str(error).encode(), "text/plain; charset=utf-8")
                return
            self._send(200, [("Cache-Control", "no-store")], body, "application/json")
            return
        responder = ROUTES.get(path.rstrip("/") or "/")
        status: int
        headers: list[tuple[str, str]]
        if responder is None:
            status, headers = 404, []
        else:
            request = LabRequest(
                self.command, path, {k.lower(): v for k, v in self.headers.items()}, lab
            )
            status, headers = responder(request)
        self._send(status, headers, b'{"ok": true}\n', "application/json")

    def _simulated(self, nonce: str) -> None:
        """Answer with exactly the headers the simulator page set, and remember the visit.

        Each Send registers its answers under a fresh id (POST /lab/config), so every fetch()
        has its own URL and Chromium's preflight cache cannot replay an earlier answer.
        """
        config = self.server.lab.sim_configs.get(nonce)
        if config is None:
            self._send(404, [], b"unknown simulator configuration", "text/plain")
            return
        preflight = (
            self.command == "OPTIONS"
            and self.headers.get("Access-Control-Request-Method") is not None
        )
        with self.server.lab.lock:
            visits = self.server.lab.sim_seen.setdefault(nonce, {})
            visits["preflight" if preflight else "actual"] = True
        status, headers = _configured(config, "preflight" if preflight else "response")
        # Exactly the configured headers: no Server or Date, and no Content-Length either, so what
        # a client receives is what the page set, and `simulate` with the same headers reports
        # the same. A 1xx, 204 or 304 answer (or one to HEAD) has no body and is complete at its
        # blank line, so the connection stays open for the next request, which a client may send
        # on it; any other answer's empty body ends when the connection closes (RFC 9112 §6.3).
        self.send_response_only(status)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        bodiless = self.command == "HEAD" or status in (204, 304) or 100 <= status <= 199
        self.close_connection = not bodiless

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    """The listen backlog: socketserver's 5 overflowed when `run --jobs 16` opened its
    connections at once, and each connection the kernel dropped waited a second for its SYN to
    be sent again."""
    lab: LabServer


@dataclass
class LabServer:
    """The lab on an ephemeral 127.0.0.1 port, in a background thread."""

    host: str = "127.0.0.1"
    port: int = 0
    seen: list[tuple[str, str]] = field(default_factory=list)
    predict: Callable[[Any, str], Any] | None = None
    """Turns the simulator page's settings and the User-Agent of the page's browser into
    cors-probe's report for that browser's engine (see lab/predict.py)."""
    sim_seen: dict[str, dict[str, bool]] = field(default_factory=dict)
    sim_configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _server: _Server | None = None
    _thread: threading.Thread | None = None

    def start(self) -> LabServer:
        server = _Server((self.host, self.port), _Handler)
        server.lab = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="cors-probe-lab")
        self._thread.daemon = True
        self._thread.start()
        return self

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
