"""The embedded PostgreSQL (the `pgserver` wheel) used when DATABASE_URL is unset."""

from __future__ import annotations

import os
import subprocess
import warnings
from pathlib import Path

from psycopg.conninfo import make_conninfo

# Handles keep the server alive for as long as this process runs (cleanup_mode="stop").
_servers: dict[Path, object] = {}


def start_embedded(pgdata: Path, dbname: str, *, keep_running: bool = False) -> str:
    """Start (or attach to) the embedded server under `pgdata`; return the admin URL of `dbname`.

    The database itself is created by ``draxis.db.bootstrap``. The server stops when the last
    process using it exits, unless `keep_running` (``draxis db start``); ``stop_embedded`` stops it.
    """
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset (root)
        warnings.simplefilter("ignore")
        import pgserver  # imported lazily: only local runs without DATABASE_URL need it

    pgdata = pgdata.resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = _servers.get(pgdata)
    if server is None:
        # A server already running (`draxis db start`, or another process's) is only attached to:
        # stopping it when this process exits would pull it from under everyone else, e.g. when a
        # `dagster` command run without DATABASE_URL finishes.
        running = (pgdata / "postmaster.pid").exists()
        stop = not (keep_running or running)
        server = pgserver.get_server(pgdata, cleanup_mode="stop" if stop else None)
        _servers[pgdata] = server
    admin_url: str = server.get_uri()  # type: ignore[attr-defined]
    return make_conninfo(admin_url, dbname=dbname)


def stop_embedded(pgdata: Path) -> bool:
    """Stop the embedded server under `pgdata`; False when it was not running."""

    import pgserver

    pgdata = pgdata.resolve()
    if not (pgdata / "postmaster.pid").exists():
        return False
    user = "pgserver" if os.geteuid() == 0 else None  # pgserver runs postgres as this user
    try:
        pgserver.pg_ctl(["-w", "stop"], pgdata=pgdata, user=user)
    except subprocess.CalledProcessError:
        return False
    return True
