"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from draxis.log import request_id

log = logging.getLogger("draxis.api")
PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """Raise to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.headers = headers
        self.extra = extra


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    rid = request_id.get()
    if rid:
        body["request_id"] = rid
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    install_database_handlers(app)

    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status, exc.detail, title=exc.title, headers=exc.headers, **exc.extra
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(psycopg.DataError)
    async def _data(_: Request, exc: psycopg.DataError) -> JSONResponse:
        # Input PostgreSQL cannot represent (a NUL in text, say) that validation let through.
        log.warning("input refused by the database", extra={"error": type(exc).__name__})
        return problem_response(422, "The request contains a value the database cannot store.")

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{e['location']}: {e['message']}" for e in errors)
        return problem_response(422, f"Invalid request: {summary}", errors=errors)

    @app.exception_handler(Exception)
    async def _unhandled(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem_response(500, "An unexpected error occurred; it has been logged.")


# Database availability -------------------------------------------------------------------------

RETRY_AFTER_SECONDS = 5
# Connection exceptions (class 08) and the server shutting down or starting up.
_UNREACHABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})


def database_unreachable(exc: psycopg.OperationalError) -> bool:
    """Whether `exc` says the database cannot be reached, rather than that a statement failed."""
    if isinstance(exc, PoolTimeout):
        return True
    state = exc.sqlstate
    return state is None or state.startswith("08") or state in _UNREACHABLE_SQLSTATES


def install_database_handlers(app: FastAPI) -> None:
    """An outage is 503 with Retry-After (the client may retry), never a 500 or a hang."""

    @app.exception_handler(psycopg.OperationalError)
    async def _operational(_: Request, exc: psycopg.OperationalError) -> JSONResponse:
        if database_unreachable(exc):
            log.warning("database unreachable", extra={"error": type(exc).__name__})
            return problem_response(
                503,
                "The database is unreachable; try again shortly.",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        if isinstance(exc, psycopg.errors.TransactionRollback):
            log.warning("transaction rolled back", extra={"sqlstate": exc.sqlstate})
            return problem_response(
                503,
                "The request collided with another one and was not applied; try again.",
                headers={"Retry-After": "1"},
            )
        log.exception("database error", exc_info=exc)
        return problem_response(500, "An unexpected error occurred; it has been logged.")
