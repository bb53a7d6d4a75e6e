"""A loopback TCP server that runs a script per connection: byte-level faults (trickled headers,
a reset, a kept-alive connection closed between two requests) that ScriptedServer cannot stage.

Standard library only, nothing from cors_probe (like tests/servers.py)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable

Script = Callable[[socket.socket, int], None]
"""Serves one connection: the socket and the connection's number (0 for the first)."""


def read_request(conn: socket.socket) -> bytes:
    """The request head (up to the blank line), or b"" when the client closed first. Only for
    requests without a body (OPTIONS, GET)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    return data


def trickle(conn: socket.socket, data: bytes, interval: float) -> None:
    """Send `data` one byte per `interval` seconds."""
    for byte in data:
        conn.sendall(bytes([byte]))
        time.sleep(interval)


def reset(conn: socket.socket) -> None:
    """Close with a TCP RST rather than a FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    conn.close()


class RawServer:
    def __init__(self, script: Script) -> None:
        self._script = script
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.05)
        self.port: int = self._sock.getsockname()[1]
        self.accepted = 0
        self._closing = False
        self._connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def url(self, path: str = "/", scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self._closing:
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            self._connections.append(conn)
            number, self.accepted = self.accepted, self.accepted + 1
            threading.Thread(target=self._serve, args=(conn, number), daemon=True).start()

    def _serve(self, conn: socket.socket, number: int) -> None:
        with contextlib.suppress(OSError):
            self._script(conn, number)
        with contextlib.suppress(OSError):
            conn.close()

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._closing = True
        self._sock.close()
        for conn in self._connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                conn.close()
        self._thread.join(timeout=5)
