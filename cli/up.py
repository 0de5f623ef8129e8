"""`draxis materialize` (every configured cell once, in-process) and `draxis up` (the whole demo:
migrate, seed, materialize, then API, Dagster webserver and daemon until Ctrl-C)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

from cli.db import cmd_db_migrate, cmd_db_seed
from draxis.dagster_env import dagster_environment
from draxis.db.urls import cluster_url
from draxis.settings import Settings

log = logging.getLogger("draxis.cli")


def cmd_materialize(settings: Settings) -> int:
    import dagster as dg

    from assets.database import DraxisDatabase
    from pipelines.bootstrap_runs import materialize_all

    cluster_url(settings)
    os.environ.update(dagster_environment(settings))
    with dg.DagsterInstance.get() as instance:
        summary = materialize_all(instance, DraxisDatabase())
    log.info("materialized", extra={"cells": summary.cells, "failed": summary.failed})
    return 1 if summary.failed else 0


def cmd_up(settings: Settings) -> int:
    """Migrate, seed, materialize, then run API, Dagster webserver and daemon until Ctrl-C."""
    cluster_url(settings)  # starts the embedded server for this process's lifetime if needed
    for step in (cmd_db_migrate, cmd_db_seed, cmd_materialize):
        if step(settings) != 0:
            log.error("start-up step failed", extra={"step": step.__name__})
            return 1
    env = {**os.environ, **dagster_environment(settings)}
    bin_dir = os.path.dirname(sys.executable)
    commands = {
        "api": [sys.executable, "-m", "cli.main", "serve"],
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
