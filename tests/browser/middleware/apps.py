"""Real CORS middleware, started on loopback ports: Flask + flask-cors, Starlette (FastAPI's
CORSMiddleware), django-cors-headers, Express + cors, and nginx with a hand-written block.

Each app runs in its own process, configured by environment variables (CP_CONFIG, CP_PORT,
CP_ALLOWED_ORIGIN), and serves the same endpoints: GET/POST /api/items, PUT/DELETE /api/items/1
and GET /api/fail (a 500). They are what cors-probe and Chromium are both pointed at; nothing here
comes from cors_probe.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
)


@dataclass(frozen=True)
class MiddlewareApp:
    name: str
    framework: str
    config: str
    description: str

    def available(self) -> str | None:
        """None when the app can run here, else why not."""
        needs = {
            "flask-cors": ("flask_cors", "flask"),
            "starlette": ("starlette", "uvicorn"),
            "django-cors-headers": ("corsheaders", "django"),
        }.get(self.framework, ())
        for module in needs:
            if importlib.util.find_spec(module) is None:
                return f"python module {module} is not installed (pip install '.[test]')"
        if self.framework == "express-cors":
            if shutil.which("node") is None:
                return "node is not installed"
            if not (HERE / "express" / "node_modules" / "cors").exists():
                return "run `npm ci` in tests/browser/middleware/express"
        if self.framework == "nginx" and NGINX is None:
            return "nginx is not installed (apt-get install nginx)"
        return None


def _app(framework: str, config: str, description: str) -> MiddlewareApp:
    return MiddlewareApp(f"{framework}/{config}", framework, config, description)


APPS: tuple[MiddlewareApp, ...] = (
    _app(
        "flask-cors",
        "allow-list-credentials",
        "CORS(app, origins=[ALLOWED], supports_credentials=True)",
    ),
    _app("flask-cors", "defaults", "CORS(app)"),
    _app("flask-cors", "wildcard-credentials", 'CORS(app, origins="*", supports_credentials=True)'),
    _app(
        "flask-cors",
        "allow-headers-authorization-only",
        'CORS(app, origins=[ALLOWED], allow_headers=["Authorization"])',
    ),
    _app(
        "starlette",
        "allow-list-credentials",
        'allow_origins=[ALLOWED], allow_credentials=True, allow_methods=["*"], allow_headers=["*"]',
    ),
    _app("starlette", "wildcard-credentials", 'allow_origins=["*"], allow_credentials=True, ...'),
    _app("starlette", "get-only", 'allow_origins=[ALLOWED], allow_methods=["GET"]'),
    _app("starlette", "default-headers", "allow_origins=[ALLOWED], allow_methods=['*']"),
    _app(
        "starlette",
        "trailing-slash-origin",
        'allow_origins=[ALLOWED + "/"], allow_methods=["*"], allow_headers=["*"]',
    ),
    _app("flask-cors", "trailing-slash-origin", 'CORS(app, origins=[ALLOWED + "/"])'),
    _app(
        "django-cors-headers",
        "append-slash",
        "CORS_ALLOWED_ORIGINS=[ALLOWED]; /api/things/ only, APPEND_SLASH answers /api/things 301",
    ),
    _app(
        "django-cors-headers",
        "allow-list-credentials",
        "CORS_ALLOWED_ORIGINS=[ALLOWED], CORS_ALLOW_CREDENTIALS=True",
    ),
    _app("django-cors-headers", "allow-all", "CORS_ALLOW_ALL_ORIGINS=True"),
    _app(
        "django-cors-headers",
        "headers-without-content-type",
        'CORS_ALLOW_HEADERS=["authorization", "x-requested-with"]',
    ),
    _app("express-cors", "allow-list-credentials", "cors({origin: ALLOWED, credentials: true})"),
    _app("express-cors", "defaults", "cors()"),
    _app("express-cors", "origin-array", "cors({origin: [ALLOWED, OTHER]})"),
    _app(
        "express-cors",
        "hand-written-joined",
        "ACAO set to the allow-list joined with ', '; OPTIONS left to Express (200, Allow)",
    ),
    _app("nginx", "correct", "map-checked echo, `always`, OPTIONS answered with 204"),
    _app("nginx", "without-always", "add_header without `always`: error responses lack CORS"),
    _app("nginx", "wildcard-credentials", "ACAO * with Access-Control-Allow-Credentials true"),
)

_NGINX_CORS = {
    "correct": (
        "add_header Access-Control-Allow-Origin $cors_origin always;\n"
        "add_header Access-Control-Allow-Credentials true always;\n"
        "add_header Vary Origin always;\n",
        "add_header Access-Control-Allow-Methods 'GET, POST, PUT, DELETE' always;\n"
        "add_header Access-Control-Allow-Headers 'Content-Type, Authorization' always;\n"
        "add_header Access-Control-Max-Age 7200 always;\n",
    ),
    "without-always": (
        "add_header Access-Control-Allow-Origin $cors_origin;\n"
        "add_header Access-Control-Allow-Credentials true;\n"
        "add_header Vary Origin;\n",
        "add_header Access-Control-Allow-Methods 'GET, POST, PUT, DELETE';\n"
        "add_header Access-Control-Allow-Headers 'Content-Type, Authorization';\n",
    ),
    "wildcard-credentials": (
        "add_header Access-Control-Allow-Origin * always;\n"
        "add_header Access-Control-Allow-Credentials true always;\n",
        "add_header Access-Control-Allow-Methods 'GET, POST, PUT, DELETE' always;\n"
        "add_header Access-Control-Allow-Headers 'Content-Type, Authorization' always;\n",
    ),
}


def nginx_conf(config: str, port: int, allowed: str, prefix: Path) -> str:
    common, preflight = _NGINX_CORS[config]
    return f"""daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    map $http_origin $cors_origin {{
        default "";
        "{allowed}" $http_origin;
    }}
    server {{
        listen 127.0.0.1:{port};
        default_type application/json;
        location = /api/fail {{
            {common}
            return 500 '{{"error": "boom"}}';
        }}
        location /api/ {{
            if ($request_method = OPTIONS) {{
                {common}
                {preflight}
                return 204;
            }}
            {common}
            return 200 '{{"ok": true}}';
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _command(app: MiddlewareApp, port: int, allowed: str, workdir: Path) -> list[str]:
    scripts = {
        "flask-cors": "flask_app.py",
        "starlette": "starlette_app.py",
        "django-cors-headers": "django_app.py",
    }
    if app.framework in scripts:
        return [sys.executable, str(HERE / scripts[app.framework])]
    if app.framework == "express-cors":
        return ["node", str(HERE / "express" / "app.js")]
    assert NGINX is not None
    conf = workdir / "nginx.conf"
    conf.write_text(nginx_conf(app.config, port, allowed, workdir))
    return [NGINX, "-p", str(workdir), "-c", str(conf), "-e", str(workdir / "error.log")]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"GET /api/items HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return sock.recv(16).startswith(b"HTTP/1.")
    except OSError:
        return False


@contextlib.contextmanager
def running(app: MiddlewareApp, allowed_origin: str) -> Iterator[str]:
    """Start the app on a free 127.0.0.1 port; yield its base URL; stop it by its PID."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="cors-probe-mw-") as temp:
        workdir = Path(temp)
        log = (workdir / "stderr.log").open("wb")
        env = {
            **os.environ,
            "CP_CONFIG": app.config,
            "CP_PORT": str(port),
            "CP_ALLOWED_ORIGIN": allowed_origin,
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        process = subprocess.Popen(
            _command(app, port, allowed_origin, workdir),
            cwd=HERE,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + 20
            while not _answers(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    tail = (workdir / "stderr.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"{app.name} did not start: {tail}")
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
