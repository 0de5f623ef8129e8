"""Serve the built web client (`web/dist`): files as they are, every other path as the SPA."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse

from api.problems import Problem


def install_web(app: FastAPI, dist: Path) -> None:
    router = APIRouter(include_in_schema=False)
    root = dist.resolve()

    @router.api_route("/api/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def unknown_api(path: str) -> None:
        """Unknown API paths are 404 for every method, never the SPA and never a 405."""
        raise Problem(404, f"No API route /api/{path}.")

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
