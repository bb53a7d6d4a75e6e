"""A small API on a ScriptedServer that keeps (or, with knobs, breaks) examples/cors-probe.toml.

Written by hand, as a server's CORS handler would be; nothing here comes from cors_probe.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.servers import Received, Reply, ScriptedServer

APP = "https://app.example.com"
ADMIN = "https://admin.example.com"


@dataclass
class ItemsApi:
    allowed: set[str] = field(default_factory=lambda: {APP, ADMIN})
    methods: str = "GET, PUT"
    headers: str = "Content-Type, X-Api-Key"
    vary: bool = True
    health_credentials: bool = False
    """The mistake: `Access-Control-Allow-Credentials: true` beside `*` on /health."""
    delay: float = 0.0
    echo_key: bool = False
    """Echo X-Api-Key back in a response header (secrets must stay masked even then)."""

    def items(self, request: Received) -> Reply:
        origin = request.header("Origin")
        cors: list[tuple[str, str]] = []
        if origin in self.allowed:
            cors = [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Credentials", "true"),
            ]
        if self.vary:
            cors.append(("Vary", "Origin"))
        if self.echo_key:
            cors.append(("X-Seen-Key", request.header("X-Api-Key") or ""))
        if request.method == "OPTIONS":
            if cors and origin in self.allowed:
                cors += [
                    ("Access-Control-Allow-Methods", self.methods),
                    ("Access-Control-Allow-Headers", self.headers),
                    ("Access-Control-Max-Age", "600"),
                ]
            return Reply(204, cors, delay=self.delay)
        return Reply(
            200,
            [("Content-Type", "application/json"), *cors],
            b'{"items": []}',
            delay=self.delay,
        )

    def health(self, request: Received) -> Reply:
        cors = [("Access-Control-Allow-Origin", "*")]
        if self.health_credentials:
            cors.append(("Access-Control-Allow-Credentials", "true"))
        if request.method == "OPTIONS":
            cors += [("Access-Control-Allow-Headers", "X-Api-Key")]
            return Reply(204, cors)
        return Reply(200, [("Content-Type", "text/plain"), *cors], b"ok")

    def serve_on(self, server: ScriptedServer) -> ScriptedServer:
        for path in ("/api/items", "/api/items/1"):
            server.route(path, self.items)
        server.route("/health", self.health)
        return server
