"""A byte-for-byte TCP relay on loopback that notes each HTTP request passing through it.

Put in front of real middleware (which keeps no log we can read), it tells whether Chromium sent
a preflight and whether the actual request reached the server, without touching a single byte of
either direction.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Seen:
    method: str
    target: str
    preflight: bool


@dataclass
class RecordingProxy:
    upstream_port: int
    port: int = 0
    seen: list[Seen] = field(default_factory=list)
    _sock: socket.socket | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sockets: list[socket.socket] = field(default_factory=list)

    def start(self) -> RecordingProxy:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        sock.settimeout(0.05)
        self.port = sock.getsockname()[1]
        self._sock = sock
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()
        with self._lock:
            sockets = list(self._sockets)
        for open_socket in sockets:
            with contextlib.suppress(OSError):
                open_socket.shutdown(socket.SHUT_RDWR)
            open_socket.close()

    def under(self, target: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.target == target]

    def _accept(self) -> None:
        while self._sock is not None:
            try:
                client, _ = self._sock.accept()
            except TimeoutError:
                continue
            except (OSError, AttributeError):
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()
            threading.Thread(target=self._requests, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def _requests(self, client: socket.socket, upstream: socket.socket) -> None:
        buffer = b""
        body_left = 0
        with contextlib.suppress(OSError):
            while chunk := client.recv(65536):
                upstream.sendall(chunk)
                buffer += chunk
                while True:
                    if body_left:
                        taken = min(body_left, len(buffer))
                        buffer, body_left = buffer[taken:], body_left - taken
                        if body_left:
                            break
                    end = buffer.find(b"\r\n\r\n")
                    if end < 0:
                        break
                    head, buffer = buffer[:end].decode("latin-1"), buffer[end + 4 :]
                    body_left = self._note(head)
        with contextlib.suppress(OSError):
            upstream.shutdown(socket.SHUT_WR)

    def _note(self, head: str) -> int:
        lines = head.split("\r\n")
        method, target = ([*lines[0].split(" "), "", ""])[:2]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        preflight = method == "OPTIONS" and "access-control-request-method" in headers
        with self._lock:
            self.seen.append(Seen(method, target, preflight))
        return int(headers.get("content-length") or 0)
