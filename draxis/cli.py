"""`draxis`: the command line behind the Makefile. Every command honours DATABASE_URL.

draxis db start | stop | migrate | seed     the database
draxis materialize                   every configured cell and status, once, in-process
draxis serve [--port N]              the API and web client
draxis up                            all of the above, then API + Dagster UI + daemon
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from draxis.db.migrate import migrate
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.urls import cluster_url, role_conninfo
from draxis.log import configure_logging
from draxis.settings import Settings, get_settings

if TYPE_CHECKING:
    import uvicorn
    from starlette.types import ASGIApp

log = logging.getLogger("draxis.cli")

DEMO_PASSWORD_ENV = "DRAXIS_DEMO_PASSWORD"  # noqa: S105
DEFAULT_DEMO_PASSWORD = "draxis-demo-password"  # noqa: S105 (local demo only)


def cmd_db_start(settings: Settings) -> int:
    if settings.database_url:
        print(f"DATABASE_URL is set; using {settings.database_url.split('@')[-1]}")
        return 0
    url = cluster_url(settings, keep_running=True)
    print(f"embedded PostgreSQL running under {settings.embedded_pg_dir} (stop: draxis db stop)")
    print(f"export DATABASE_URL='{url}'")
    return 0


def cmd_db_stop(settings: Settings) -> int:
    from draxis.db.embedded import stop_embedded

    stopped = stop_embedded(settings.embedded_pg_dir)
    print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
    return 0


def cmd_db_migrate(settings: Settings) -> int:
    migrate(settings)
    log.info("database migrated")
    return 0


def cmd_db_seed(settings: Settings) -> int:
    from draxis.seed import seed_demo

    if settings.environment == "production":
        print("refusing to seed demo users in production", file=sys.stderr)
        return 2
    password = os.environ.get(DEMO_PASSWORD_ENV, DEFAULT_DEMO_PASSWORD)
    with connect(role_conninfo(settings, DbRole.APP)) as conn:
        users = seed_demo(conn, password)
    print(f"\nDemo sign-ins (password for all: {password}):")
    for user in users:
        where = user.tenant or ("platform" if user.role == "superadmin" else "")
        print(f"  {user.role:<14} {user.email:<30} {where}")
    print()
    return 0


def cmd_materialize(settings: Settings) -> int:
    import dagster as dg

    from draxis.dagster_env import dagster_environment
    from pipelines.bootstrap_runs import materialize_all
    from pipelines.resources import DraxisDatabase

    cluster_url(settings)
    os.environ.update(dagster_environment(settings))
    with dg.DagsterInstance.get() as instance:
        summary = materialize_all(instance, DraxisDatabase())
    log.info("materialized", extra={"cells": summary.cells, "failed": summary.failed})
    return 1 if summary.failed else 0


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


def cmd_up(settings: Settings) -> int:
    """Migrate, seed, materialize, then run API, Dagster webserver and daemon until Ctrl-C."""
    from draxis.dagster_env import dagster_environment

    cluster_url(settings)  # starts the embedded server for this process's lifetime if needed
    for step in (cmd_db_migrate, cmd_db_seed, cmd_materialize):
        if step(settings) != 0:
            log.error("start-up step failed", extra={"step": step.__name__})
            return 1
    env = {**os.environ, **dagster_environment(settings)}
    bin_dir = os.path.dirname(sys.executable)
    commands = {
        "api": [sys.executable, "-m", "draxis.cli", "serve"],
        "dagster-webserver": [
            os.path.join(bin_dir, "dagster-webserver"),
            "-w",
            "workspace.yaml",
            "-h",
            settings.host,
            "-p",
            str(settings.dagster_port),
            "--log-format",
            "json",
        ],
        "dagster-daemon": [
            os.path.join(bin_dir, "dagster-daemon"),
            "run",
            "-w",
            "workspace.yaml",
            "--log-format",
            "json",
        ],
    }
    procs = {
        name: subprocess.Popen(  # noqa: S603 (our own executables)
            cmd, env=env, cwd=env["DAGSTER_HOME"], start_new_session=True
        )
        for name, cmd in commands.items()
    }
    print(f"\nDraxis:    http://{settings.host}:{settings.port}")
    print(f"Dagster UI: http://{settings.host}:{settings.dagster_port}\nCtrl-C stops everything.\n")
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                log.error("process exited", extra={"process": name, "code": proc.returncode})
                stopping, exit_code = True, 1
        time.sleep(0.5)
    for proc in procs.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs.values():
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    log.info("stopped")
    return exit_code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="draxis", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="the database").add_subparsers(dest="db_command", required=True)
    db.add_parser("start", help="start the embedded PostgreSQL (when DATABASE_URL is unset)")
    db.add_parser("stop", help="stop the embedded PostgreSQL started by `db start`")
    db.add_parser("migrate", help="create roles and run migrations")
    db.add_parser("seed", help="create the demo organization, tenants and users")
    sub.add_parser("materialize", help="materialize every configured partition once")
    serve = sub.add_parser("serve", help="serve the API and the web client")
    serve.add_argument("--port", type=int, default=None)
    sub.add_parser("up", help="migrate, seed, materialize, then serve API + Dagster")
    args = parser.parse_args(argv)

    settings = get_settings()
    configure_logging(settings.log_level)
    if args.command == "db":
        handlers = {
            "start": cmd_db_start,
            "stop": cmd_db_stop,
            "migrate": cmd_db_migrate,
            "seed": cmd_db_seed,
        }
        return handlers[args.db_command](settings)
    if args.command == "materialize":
        return cmd_materialize(settings)
    if args.command == "serve":
        return cmd_serve(settings, args.port)
    return cmd_up(settings)


if __name__ == "__main__":
    sys.exit(main())
