"""Request ids, access logs, request-duration metrics and security headers on every response."""

from __future__ import annotations

import logging
import re
import time
import uuid

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.body_limit import BodyLimit, body_caps
from api.forwarded import request_scheme
from draxis import telemetry
from draxis.log import request_id
from draxis.settings import Settings
from draxis.telemetry.instruments import status_class

log = logging.getLogger("draxis.api.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# The web client is same-origin static files plus fetch(); nothing else is allowed to load, and
# no page may frame it. API answers are never cached (they carry tenant data).
_DOCS_PATHS = {"/docs", "/redoc", "/docs/oauth2-redirect"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
        " connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    # No page of ours uses a camera, a microphone, the location or payments: nor may anything
    # it embeds or that an injection slips in.
    "Permissions-Policy": (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(),"
        " microphone=(), payment=(), usb=()"
    ),
}


class RequestContext:
    """Pure ASGI middleware (no BaseHTTPMiddleware: that wraps every response in a task group and
    memory streams, a measurable cost per request): request id, security headers, access log.

    Strict-Transport-Security only on answers the client got over https: the connection's own
    scheme, or X-Forwarded-Proto as far as the trusted proxy hops vouch for it."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.hops = settings.proto_hops
        age = settings.hsts_max_age_seconds
        self.hsts = f"max-age={age}; includeSubDomains" if age > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        incoming = request_headers.get("x-request-id", "")
        https = (
            request_scheme(
                scope.get("scheme", "http"), request_headers.getlist("x-forwarded-proto"), self.hops
            )
            == "https"
        )
        rid = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        path: str = scope["path"]
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = rid
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if https and self.hsts:
                    headers["Strict-Transport-Security"] = self.hsts
                if path in _DOCS_PATHS:  # Swagger UI / ReDoc load their own script
                    del headers["Content-Security-Policy"]
                if path.startswith("/api/"):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
            seconds = time.perf_counter() - started
            route = route_template(scope)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": path,
                    "route": route,
                    "status": status,
                    "ms": round(seconds * 1000, 1),
                },
            )
            telemetry.current().instruments.http_duration.record(
                seconds,
                {
                    "http.route": route,
                    "http.request.method": scope["method"],
                    "http.response.status_code": status,
                    "http.status_class": status_class(status),
                },
            )
        finally:
            request_id.reset(token)


def route_template(scope: Scope) -> str:
    """The matched route's template (`/api/risks/{risk_id}`), never the raw path: metrics and
    log-based metrics group by it. Unmatched paths (404s) share one value."""
    template = getattr(scope.get("route"), "path", None)
    if isinstance(template, str) and template:
        return template
    return "unmatched" if scope.get("route") is None else "/"


def install_request_context(app: FastAPI) -> None:
    """Body caps inside the request context, so that a 413 carries its id and headers."""
    settings: Settings = app.state.settings
    app.add_middleware(BodyLimit, caps=body_caps(settings))
    app.add_middleware(RequestContext, settings=settings)
