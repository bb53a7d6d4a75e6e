"""The benchmark's API server, run in its own process so it never competes with the measured one.

Answers the preflight and the PUT of the measured check with fixed CORS headers, HTTP/1.1 with
keep-alive. Prints its port on the first line of stdout, then serves until terminated.
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ORIGIN = "http://localhost:3000"
PREFLIGHT = (
    ("Access-Control-Allow-Origin", ORIGIN),
    ("Access-Control-Allow-Methods", "PUT"),
    ("Access-Control-Allow-Headers", "content-type"),
    ("Access-Control-Max-Age", "600"),
    ("Vary", "Origin"),
)
ACTUAL = (("Access-Control-Allow-Origin", ORIGIN), ("Vary", "Origin"))
BODY = b'{"id": 1, "name": "tag"}\n'


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Silent."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.command == "OPTIONS":
            self.send_response(204)
            for name, value in PREFLIGHT:
                self.send_header(name, value)
            self.end_headers()
            return
        self.send_response(200)
        for name, value in ACTUAL:
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    do_GET = do_PUT = do_POST = do_OPTIONS = _answer


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    sys.stdout.write(f"{server.server_address[1]}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
