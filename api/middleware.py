"""Request ids, access logs and security headers on every response."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from draxis.log import request_id

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
}


def install_request_context(app: FastAPI) -> None:
    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get("x-request-id", "")
        rid = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            response = await call_next(request)
            response.headers["X-Request-ID"] = rid
            response.headers.update(SECURITY_HEADERS)
            if request.url.path in _DOCS_PATHS:  # Swagger UI / ReDoc load their own script
                del response.headers["Content-Security-Policy"]
            if request.url.path.startswith("/api/"):
                response.headers["Cache-Control"] = "no-store"
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.url.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id.reset(token)
