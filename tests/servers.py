"""A scripted HTTP/1.1 server on loopback, with byte-level control over every response.

Standard library only, and nothing from cors_probe: this server is what the CORS engine is
judged against; if it shared code with the engine, the tests would agree with themselves.
Headers are written exactly as scripted: order, duplicates, odd name case, any Latin-1 byte.
"""

from __future__ import annotations

import contextlib
import http
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""
    reason: str | None = None
    delay: float = 0.0
    """Seconds to wait before answering (time-out tests)."""
    raw: bytes | None = None
    """Written verbatim instead of a response, then the connection closes (broken servers)."""
    body_size: int | None = None
    """Stream this many bytes of b"x" instead of `body` (large-download tests)."""


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for n, v in self.headers if n.lower() == lowered), None)

    def header_names(self) -> list[str]:
        return [n.lower() for n, _ in self.headers]


Handler = Reply | Callable[[Received], Reply]


@dataclass
class ScriptedServer:
    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    _routes: dict[str, dict[str, Handler]] = field(default_factory=dict)
    _sock: socket.socket | None = None
    _threads: list[threading.Thread] = field(default_factory=list)
    _connections: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closing: bool = False
    accepted: int = 0
    """Connections accepted so far (connection-reuse tests)."""
    tls: ssl.SSLContext | None = None
    """Serve https with this server-side context (the gates' secure pages)."""

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, handler: Handler | None = None, **by_method: Handler) -> None:
        """Script `path`: one handler for every method, or one per lower-case method (`any=`).
        A `path` ending in `/*` answers every path under it that has no route of its own."""
        table = dict(self._routes.get(path, {}))
        if handler is not None:
            table["any"] = handler
        table.update(by_method)
        self._routes[path] = table

    def requests_to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path.split("?", 1)[0] == path]

    def clear(self) -> None:
        """Forget what was received (between the browser's run and cors-probe's)."""
        with self._lock:
            self.received.clear()

    def start(self) -> ScriptedServer:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(64)
        sock.settimeout(0.05)  # so the accept loop notices close() promptly
        self.port = sock.getsockname()[1]
        self._sock = sock
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def close(self) -> None:
        self._closing = True
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> ScriptedServer:
        return self.start() if self._sock is None else self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- serving ----------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closing and self._sock is not None:
            try:
                conn, _ = self._sock.accept()
                conn.settimeout(None)
            except TimeoutError:
                continue
            except (OSError, AttributeError):
                return
            with self._lock:
                self._connections.append(conn)
                self.accepted += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        if self.tls is not None:
            try:
                conn = self.tls.wrap_socket(conn, server_side=True)
            except (OSError, ssl.SSLError):
                conn.close()
                return
        reader = conn.makefile("rb")
        try:
            while not self._closing:
                request = self._read_request(reader)
                if request is None:
                    return
                with self._lock:
                    self.received.append(request)
                reply = self._reply_for(request)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.raw is not None:
                    conn.sendall(reply.raw)
                    return
                self._write(conn, request, reply)
                if (request.header("Connection") or "").lower() == "close":
                    return
        except OSError:
            return
        finally:
            reader.close()
            with self._lock:
                if conn in self._connections:
                    self._connections.remove(conn)
            conn.close()

    @staticmethod
    def _read_request(reader: object) -> Received | None:
        readline = reader.readline  # type: ignore[attr-defined]
        line: bytes = readline(65537)
        while line in (b"\r\n", b"\n"):
            line = readline(65537)
        if not line:
            return None
        method, target, _ = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
        headers: list[tuple[str, str]] = []
        while True:
            raw: bytes = readline(65537)
            if raw in (b"\r\n", b"\n", b""):
                break
            name, _, value = raw.decode("latin-1").rstrip("\r\n").partition(":")
            headers.append((name, value.strip(" \t")))
        lookup = {n.lower(): v for n, v in headers}
        body = b""
        if "content-length" in lookup:
            body = reader.read(int(lookup["content-length"]))  # type: ignore[attr-defined]
        elif lookup.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(readline(65537).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    readline(65537)
                    break
                chunks.append(reader.read(size))  # type: ignore[attr-defined]
                readline(65537)
            body = b"".join(chunks)
        return Received(method, target, headers, body)

    def _reply_for(self, request: Received) -> Reply:
        path = request.path.split("?", 1)[0]
        table = self._routes.get(path)
        if table is None:  # `/prefix/*` answers every path under /prefix/, as sent (encoded)
            table = next(
                (
                    t
                    for p, t in self._routes.items()
                    if p.endswith("/*") and path.startswith(p[:-1])
                ),
                None,
            )
        if table is None:
            return Reply(404)
        handler = table.get(request.method.lower(), table.get("any"))
        if handler is None:
            return Reply(405)
        return handler if isinstance(handler, Reply) else handler(request)

    @staticmethod
    def _write(conn: socket.socket, request: Received, reply: Reply) -> None:
        try:
            phrase = (
                reply.reason if reply.reason is not None else http.HTTPStatus(reply.status).phrase
            )
        except ValueError:
            phrase = "Status"
        lines = [f"HTTP/1.1 {reply.status} {phrase}"]
        lines += [f"{name}: {value}" for name, value in reply.headers]
        size = reply.body_size if reply.body_size is not None else len(reply.body)
        no_body = request.method == "HEAD" or reply.status in (204, 304)
        has_length = any(n.lower() == "content-length" for n, _ in reply.headers)
        if not has_length and reply.status not in (204, 304):
            lines.append(f"Content-Length: {size}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        conn.sendall(head)
        if no_body:
            return
        if reply.body_size is None:
            conn.sendall(reply.body)
            return
        chunk = b"x" * 65536
        left = reply.body_size
        while left > 0:
            conn.sendall(chunk[: min(left, len(chunk))])
            left -= len(chunk)


def start_server(host: str = "127.0.0.1") -> ScriptedServer:
    return ScriptedServer(host=host).start()
