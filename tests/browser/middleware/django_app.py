"""A one-file Django project with django-cors-headers, configured by CP_CONFIG."""

from __future__ import annotations

import os
import sys
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import django
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

ALLOWED = os.environ["CP_ALLOWED_ORIGIN"]
CONFIGS: dict[str, dict[str, Any]] = {
    "allow-list-credentials": {"CORS_ALLOWED_ORIGINS": [ALLOWED], "CORS_ALLOW_CREDENTIALS": True},
    "allow-all": {"CORS_ALLOW_ALL_ORIGINS": True},
    "headers-without-content-type": {
        "CORS_ALLOWED_ORIGINS": [ALLOWED],
        "CORS_ALLOW_HEADERS": ["authorization", "x-requested-with"],
    },
    "append-slash": {"CORS_ALLOWED_ORIGINS": [ALLOWED], "APPEND_SLASH": True},
}

settings.configure(
    DEBUG=False,
    SECRET_KEY="cors-probe-tests",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["corsheaders"],
    MIDDLEWARE=[
        "corsheaders.middleware.CorsMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
    **CONFIGS[os.environ["CP_CONFIG"]],
)
django.setup()


@csrf_exempt
def items(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return JsonResponse({"id": 2}, status=201)
    return JsonResponse([{"id": 1}], safe=False)


@csrf_exempt
def item(request: HttpRequest) -> HttpResponse:
    if request.method == "DELETE":
        return HttpResponse(status=204)
    return JsonResponse({"id": 1})


def fail(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"error": "boom"}, status=500)


urlpatterns = [
    path("api/items", items),
    path("api/items/1", item),
    path("api/fail", fail),
    # only with a trailing slash: CommonMiddleware's APPEND_SLASH answers /api/things with a 301
    path("api/things/", items),
]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Silent."""


if __name__ == "__main__":
    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1",
        int(os.environ["CP_PORT"]),
        get_wsgi_application(),
        server_class=_Server,
        handler_class=_Quiet,
    )
    sys.stdout.flush()
    server.serve_forever()
