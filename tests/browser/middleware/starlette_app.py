"""Starlette's CORSMiddleware (what FastAPI uses) in the configuration named by CP_CONFIG."""

from __future__ import annotations

import os
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ALLOWED = os.environ["CP_ALLOWED_ORIGIN"]

CONFIGS: dict[str, dict[str, Any]] = {
    "allow-list-credentials": {
        "allow_origins": [ALLOWED],
        "allow_credentials": True,
        "allow_methods": ["*"],
        "allow_headers": ["*"],
    },
    "wildcard-credentials": {
        "allow_origins": ["*"],
        "allow_credentials": True,
        "allow_methods": ["*"],
        "allow_headers": ["*"],
    },
    "get-only": {"allow_origins": [ALLOWED], "allow_methods": ["GET"]},
    "default-headers": {"allow_origins": [ALLOWED], "allow_methods": ["*"]},
    "trailing-slash-origin": {
        "allow_origins": [ALLOWED + "/"],
        "allow_methods": ["*"],
        "allow_headers": ["*"],
    },
}


async def items(request: Request) -> Response:
    if request.method == "POST":
        return JSONResponse({"id": 2}, status_code=201)
    return JSONResponse([{"id": 1}])


async def item(request: Request) -> Response:
    if request.method == "DELETE":
        return Response(status_code=204)
    return JSONResponse({"id": 1})


async def fail(request: Request) -> Response:
    return JSONResponse({"error": "boom"}, status_code=500)


app = Starlette(
    routes=[
        Route("/api/items", items, methods=["GET", "POST"]),
        Route("/api/items/1", item, methods=["PUT", "DELETE"]),
        Route("/api/fail", fail),
    ],
    middleware=[Middleware(CORSMiddleware, **CONFIGS[os.environ["CP_CONFIG"]])],
)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["CP_PORT"]), log_level="warning")
