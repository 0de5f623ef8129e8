"""`draxis serve [--port N]`: the API and the web client under uvicorn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from draxis.db.urls import cluster_url
from draxis.settings import Settings

if TYPE_CHECKING:
    import uvicorn
    from starlette.types import ASGIApp


def server_config(app: ASGIApp, settings: Settings, port: int | None = None) -> uvicorn.Config:
    """How `draxis serve` runs `app` (tests start the same server on a loopback port)."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=settings.host,
        port=port if port is not None else settings.port,
        log_config=None,
        access_log=False,
        # Not uvicorn's: it believes X-Forwarded-For/-Proto from 127.0.0.1, so any local client
        # could pick its own address. `api.forwarded` decides from DRAXIS_TRUSTED_PROXY_HOPS.
        proxy_headers=False,
    )


def cmd_serve(settings: Settings, port: int | None) -> int:
    import uvicorn

    from api.main import create_app

    cluster_url(settings)
    uvicorn.Server(server_config(create_app(settings), settings, port or settings.port)).run()
    return 0
