"""Serve the built web client (`web/dist`): files as they are, every other path as the SPA.

Under /api no path is the SPA: a known path with the wrong method is a 405 naming the methods it
takes (`Allow`), an unknown one a 404, both as problem documents."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts

from api.problems import Problem, problem_response

_EVERY_METHOD = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def allowed_methods(app: FastAPI, path: str) -> set[str]:
    """The methods of the API routes whose path matches `path` (none: no such route)."""
    methods: set[str] = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if (
            isinstance(route, APIRoute)
            and route.include_in_schema
            and context.path_regex.match(path)
        ):
            methods |= context.methods or set()
    return methods


def install_web(app: FastAPI, dist: Path) -> None:
    router = APIRouter(include_in_schema=False)
    root = dist.resolve()

    @router.api_route("/api/{path:path}", methods=list(_EVERY_METHOD))
    def unknown_api(request: Request) -> JSONResponse:
        """Every method on /api/* that no route took: 405 on a known path, else 404."""
        path = request.url.path
        methods = allowed_methods(app, path)
        if not methods:
            return problem_response(404, f"No API route {path}.")
        allow = ", ".join(sorted(methods))
        return problem_response(
            405,
            f"{request.method} is not allowed on {path}; use {allow}.",
            headers={"Allow": allow},
        )

    @router.get("/{path:path}")
    def web(path: str) -> FileResponse:
        if path == "api" or path.startswith("api/"):
            raise Problem(404, f"No API route /{path}.")
        index = root / "index.html"
        if not index.is_file():
            raise Problem(404, f"The web client is not built ({index} is missing): run `make web`.")
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            cache = (
                "public, max-age=31536000, immutable" if path.startswith("assets/") else "no-cache"
            )
            return FileResponse(candidate, headers={"Cache-Control": cache})
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    app.include_router(router)
