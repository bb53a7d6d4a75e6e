"""The embedded lab: a loopback HTTP server whose endpoints answer like real, misconfigured APIs.

Standard library only, and nothing from `cors_probe.policy`: the lab is what the engine is judged
against, so its answers are written out by hand here, as a server author would write them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = tuple[int, list[tuple[str, str]]]
Responder = Callable[["LabRequest"], Answer]

ALLOWED_ORIGINS = ("http://localhost:3000", "https://admin.example")


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
    "/moved": moved,
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the lab is a backdrop, not a log source."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.split("?", 1)[0]
        responder = ROUTES.get(path.rstrip("/") or "/")
        status: int
        headers: list[tuple[str, str]]
        if responder is None:
            status, headers = 404, []
        else:
            request = LabRequest(
                self.command,
                path,
                {k.lower(): v for k, v in self.headers.items()},
                self.server.lab,
            )
            status, headers = responder(request)
        self.server.lab.seen.append((self.command, path))
        body = b"" if self.command == "HEAD" or status in (204, 304) else b'{"ok": true}\n'
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status not in (204, 304):
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    lab: LabServer


@dataclass
class LabServer:
    """The lab on an ephemeral 127.0.0.1 port, in a background thread."""

    host: str = "127.0.0.1"
    port: int = 0
    seen: list[tuple[str, str]] = field(default_factory=list)
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
