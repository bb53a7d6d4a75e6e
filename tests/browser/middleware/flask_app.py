"""Flask + flask-cors in the configuration named by CP_CONFIG, on 127.0.0.1:CP_PORT."""

from __future__ import annotations

import os

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from flask_cors import CORS
from werkzeug.serving import run_simple

ALLOWED = os.environ["CP_ALLOWED_ORIGIN"]
app = Flask(__name__)

CONFIGS = {
    "allow-list-credentials": lambda: CORS(app, origins=[ALLOWED], supports_credentials=True),
    "defaults": lambda: CORS(app),
    "wildcard-credentials": lambda: CORS(app, origins="*", supports_credentials=True),
    "trailing-slash-origin": lambda: CORS(app, origins=[ALLOWED + "/"]),
    "allow-headers-authorization-only": lambda: CORS(
        app, origins=[ALLOWED], allow_headers=["Authorization"]
    ),
}
CONFIGS[os.environ["CP_CONFIG"]]()


@app.get("/api/items")
def items() -> ResponseReturnValue:
    return jsonify([{"id": 1}])


@app.post("/api/items")
def create() -> ResponseReturnValue:
    return jsonify({"id": 2}), 201


@app.put("/api/items/1")
def update() -> ResponseReturnValue:
    return jsonify({"id": 1})


@app.delete("/api/items/1")
def delete() -> ResponseReturnValue:
    return "", 204


@app.get("/api/fail")
def fail() -> ResponseReturnValue:
    return jsonify({"error": "boom"}), 500


if __name__ == "__main__":
    run_simple("127.0.0.1", int(os.environ["CP_PORT"]), app, threaded=True)
