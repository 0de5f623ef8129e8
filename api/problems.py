"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
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
    document_problems(app)

    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status, exc.detail, title=exc.title, headers=exc.headers, **exc.extra
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # only FastAPI and Starlette answer 400: see unparseable_body
            return unparseable_body(str(exc.detail))
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


# Documented problem statuses ---------------------------------------------------------------------
# Every route's OpenAPI operation lists the problem statuses it can answer, as
# application/problem+json of one shared `Problem` schema. The statuses every route of a kind
# answers are inferred from the route itself (below); the ones only some routes answer (409, 410,
# 413, ...) are declared with `problem_responses` on their router or route.


# FastAPI and Starlette answer 400 to a body they cannot even decode (JSON that is not UTF-8,
# broken multipart framing): ordinary bad input, so a 422 like any other invalid body rather
# than a status no operation documents. The API itself never answers 400.
def unparseable_body(reason: str) -> JSONResponse:
    return problem_response(
        422,
        f"Invalid request: the body cannot be parsed ({reason.rstrip('.')}).",
        errors=[{"location": "body", "message": reason}],
    )


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {"description": "What is wrong, field by field or row by row."},
    },
    "additionalProperties": True,
}
_PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries for `statuses`, each a problem document."""
    return {
        status: {"description": HTTPStatus(status).phrase, "content": dict(_PROBLEM_CONTENT)}
        for status in statuses
    }


def inferred_statuses(path: str, operation: Mapping[str, Any], dependant: Dependant) -> set[int]:
    """What any operation like this one can answer: 401/403 behind a bearer token, 404 with a
    path parameter, 422 with any parameter or body, 413 with a body, 429 behind the auth
    throttle, and 503 from any of them when the database is unreachable (install_database_handlers)
    or a commit collides with another (api.access.commit_refused)."""
    statuses: set[int] = {503}
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add(422)
    if operation.get("requestBody"):
        statuses.add(413)  # a body past the size limit
    if "{" in path:
        statuses.add(404)
    if operation.get("security"):
        statuses.update((401, 403))
    if any(getattr(d.call, "__name__", "") == "auth_limit" for d in _dependencies(dependant)):
        statuses.add(429)
    return statuses


def _dependencies(dependant: Dependant) -> list[Dependant]:
    found: list[Dependant] = []
    stack = list(dependant.dependencies)
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(current.dependencies)
    return found


def document_problems(app: FastAPI) -> None:
    """Once the OpenAPI document is built, give every operation its problem statuses (replacing
    FastAPI's default 422, which is not what the API answers) and add the `Problem` schema."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for context in iter_route_contexts(app.routes):
                if not isinstance(context.original_route, APIRoute):
                    continue
                item = schema.get("paths", {}).get(context.path_format, {})
                for method in context.methods or ():
                    operation = item.get(method.lower())
                    if operation is not None:
                        statuses = inferred_statuses(
                            str(context.path_format), operation, context.dependant
                        )
                        _document(operation, statuses)
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = (
                PROBLEM_SCHEMA
            )
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document(operation: dict[str, Any], statuses: set[int]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status in statuses:
        responses.setdefault(str(status), {})
    for key, entry in responses.items():
        if key.isdigit() and int(key) >= 400:
            entry.setdefault("description", HTTPStatus(int(key)).phrase)
            if int(key) == 422 and "HTTPValidationError" in str(entry.get("content")):
                entry["description"] = HTTPStatus(422).phrase
            entry["content"] = dict(_PROBLEM_CONTENT)


def commit_refused(exc: psycopg.Error) -> Problem | None:
    """What to answer when COMMIT fails: nothing was kept, and the caller must hear so.

    A serialization failure or deadlock is worth retrying (503 with Retry-After); a lost
    connection is re-raised as it is (None; `api.problems` answers 503); a deferred constraint is
    a conflict with the data (409); anything else is our fault (500), but never a 2xx.
    """
    logging.getLogger("draxis.api.access").warning(
        "commit refused", extra={"error": type(exc).__name__, "sqlstate": exc.sqlstate}
    )
    if isinstance(exc, psycopg.errors.TransactionRollback):
        return Problem(
            503,
            "The change collided with another one and was not saved; try again.",
            headers={"Retry-After": "1"},
        )
    if isinstance(exc, psycopg.OperationalError):
        return None
    if isinstance(exc, psycopg.IntegrityError):
        return Problem(409, "The change conflicts with existing data; nothing was saved.")
    return Problem(500, "The change could not be saved; nothing was kept.")
